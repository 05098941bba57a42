"""`{% app_list_tables %}`: Django admin's list of apps and models, the markup of Django's own
`admin/app_list.html`, written in Python.

Every admin page shows it in the navigation sidebar (and the index page in its body): the
portal registers some forty models, and Django's template renders a dozen template nodes for
each of them (with `request.path|urlencode` three times a model), about a fifth of a
changelist's time. `templates/admin/app_list.html` calls this tag instead; the markup is the
same up to whitespace, and tests/bcp_portal/test_admin_app_list.py renders both and compares
them, so a Django upgrade that changes the original fails that test rather than drifting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def app_list_tables(context: template.Context) -> SafeString:
    """What Django's `admin/app_list.html` renders for `app_list` and `show_changelinks`."""
    app_list = context.get("app_list")
    if not app_list:
        # Django's message, in its catalogue with the typographic apostrophe.
        nothing = gettext("You don\u2019t have permission to view or edit anything.")
        return format_html("<p>{}</p>", nothing)
    request = context.get("request")
    path = quote(request.path) if request is not None else ""
    changelinks = bool(context.get("show_changelinks"))
    head = format_html(
        '<thead class="visually-hidden"><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>',
        gettext("Model name"),
        gettext("Add link"),
        gettext("Change or view list link"),
    )
    words: dict[str, str] = {
        "add": conditional_escape(gettext("Add")),
        "view": conditional_escape(gettext("View")),
        "change": conditional_escape(gettext("Change")),
    }
    tables = "".join(_app(app, path, changelinks, head, words) for app in app_list)
    return mark_safe(tables)  # noqa: S308  # every value in it passed conditional_escape


def _app(
    app: dict[str, Any], path: str, changelinks: bool, head: str, words: dict[str, str]
) -> str:
    label = conditional_escape(app["app_label"])
    name = conditional_escape(app["name"])
    title = gettext("Models in the %(name)s application") % {"name": name}
    current = " current-app" if str(app["app_url"]) in path else ""
    rows = [
        f'<div class="app-{label} module{current}"><table><caption>'
        f'<a href="{conditional_escape(app["app_url"])}" class="section" title="{title}">'
        f"{name}</a></caption>{head}"
    ]
    for model in app["models"]:
        rows.append(_model(model, label, path, changelinks, words))
    rows.append("</table></div>")
    return "".join(rows)


def _model(
    model: dict[str, Any], label: str, path: str, changelinks: bool, words: dict[str, str]
) -> str:
    model_name = conditional_escape(str(model["object_name"]).lower())
    row_id = f"{label}-{model_name}"
    admin_url = model.get("admin_url")
    add_url = model.get("add_url")
    name = conditional_escape(model["name"])
    here = bool(admin_url) and str(admin_url) in path
    cells = [f'<tr class="model-{model_name}{" current-model" if here else ""}">']
    if admin_url:
        current = ' aria-current="page"' if here else ""
        link = f'<a href="{conditional_escape(admin_url)}"{current}>{name}</a>'
        cells.append(f'<th scope="row" id="{row_id}">{link}</th>')
    else:
        cells.append(f'<th scope="row" id="{row_id}">{name}</th>')
    if add_url:
        cells.append(
            f'<td><a href="{conditional_escape(add_url)}" class="addlink" '
            f'aria-describedby="{row_id}">{words["add"]}</a></td>'
        )
    else:
        cells.append("<td></td>")
    if admin_url and changelinks:
        kind = "view" if model.get("view_only") else "change"
        cells.append(
            f'<td><a href="{conditional_escape(admin_url)}" class="{kind}link" '
            f'aria-describedby="{row_id}">{words[kind]}</a></td>'
        )
    elif changelinks:
        cells.append("<td></td>")
    cells.append("</tr>")
    return "".join(cells)
