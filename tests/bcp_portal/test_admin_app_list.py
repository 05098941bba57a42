"""The admin's app list (sidebar and index) from `{% app_list_tables %}` is the markup Django's
own `admin/app_list.html` renders, up to whitespace."""

import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.template import Context, Engine
from django.template.loader import render_to_string

from tests.factories import UserFactory

DJANGO_APP_LIST = Path(django.contrib.admin.__file__).parent / "templates/admin/app_list.html"


def django_s_own(context: dict) -> str:
    return Engine.get_default().from_string(DJANGO_APP_LIST.read_text()).render(Context(context))


def ours(context: dict) -> str:
    return render_to_string("admin/app_list.html", context)


def same_markup(html: str) -> str:
    """Whitespace around tags dropped, other runs of whitespace made one space."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def app_list_for(rf, user, path="/admin/"):
    request = rf.get(path)
    request.user = user
    return request, admin.site.get_app_list(request)


@pytest.mark.parametrize("show_changelinks", [True, False])
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/drills/", "/admin/drills/drill/", "/admin/drills/drill/3/change/"]
)
def test_a_superuser_s_app_list_is_the_markup_django_renders(db, rf, path, show_changelinks):
    request, app_list = app_list_for(rf, UserFactory(is_staff=True, is_superuser=True), path)
    context = {"app_list": app_list, "show_changelinks": show_changelinks, "request": request}
    html = ours(context)
    assert same_markup(html) == same_markup(django_s_own(context))
    assert 'class="addlink"' in html and "app_list_tables" not in html


def test_a_view_only_staff_member_s_app_list_is_the_markup_django_renders(db, rf):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_drill", "view_drillreport"])
    )
    request, app_list = app_list_for(rf, staff, "/admin/drills/drillreport/")
    context = {"app_list": app_list, "show_changelinks": True, "request": request}
    html = ours(context)
    assert same_markup(html) == same_markup(django_s_own(context))
    assert 'class="viewlink"' in html and 'class="addlink"' not in html
    assert 'aria-current="page">Drill reports</a>' in html


def test_names_and_links_are_escaped_as_django_escapes_them(rf):
    app_list = [
        {
            "name": "R&D <labs>",
            "app_label": "rnd",
            "app_url": "/admin/rnd/?a=1&b=2",
            "models": [
                {
                    "name": 'Tests "quoted"',
                    "object_name": "Test",
                    "admin_url": "/admin/rnd/test/",
                    "add_url": None,
                    "view_only": False,
                },
                {
                    "name": "Hidden <b>",
                    "object_name": "Hidden",
                    "admin_url": None,
                    "add_url": "/admin/rnd/hidden/add/",
                },
            ],
        }
    ]
    for show_changelinks in (True, False):
        context = {
            "app_list": app_list,
            "show_changelinks": show_changelinks,
            "request": rf.get("/admin/rnd/test/"),
        }
        html = ours(context)
        assert same_markup(html) == same_markup(django_s_own(context))
        assert "R&amp;D &lt;labs&gt;" in html and "<b>" not in html


def test_someone_who_may_see_nothing_is_told_so_as_django_tells_them(rf):
    context = {"app_list": [], "request": rf.get("/admin/")}
    assert same_markup(ours(context)) == same_markup(django_s_own(context))
    assert "permission to view or edit anything" in ours(context)


def test_the_sidebar_of_a_changelist_marks_the_current_model(db, client_for):
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/drills/drill/").content.decode()
    assert 'id="nav-sidebar"' in page
    assert '<tr class="model-drill current-model">' in page
    assert '<a href="/admin/drills/drill/" aria-current="page">Drills</a>' in page
