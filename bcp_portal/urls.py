from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bcp_portal import views
from bcp_portal.core import password_views, twofactor_views
from bcp_portal.core import views as core_views
from bcp_portal.core.api.token_views import api_tokens
from bcp_portal.core.forms import OutboxPasswordResetForm
from bcp_portal.core.twofactor_forms import ReauthPasswordChangeForm
from bcp_portal.dashboard import panel_names

admin.site.site_header = "BCP Portal administration"
admin.site.site_title = "BCP Portal admin"
admin.site.index_title = "Records and settings"

auth_patterns = [
    path("login/", twofactor_views.PortalLoginView.as_view(), name="login"),
    path("login/code/", twofactor_views.LoginCodeView.as_view(), name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        password_views.PasswordChangeView.as_view(form_class=ReauthPasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/change/done/",
        password_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]


class LegacyAccountRedirect(RedirectView):
    """/account/... moved to Django's conventional /accounts/...: a permanent redirect for
    bookmarks and old links (GET and HEAD only: a form posts to the new path)."""

    http_method_names = ["get", "head", "options"]
    permanent = True
    query_string = True
    url = "/accounts/%(rest)s"


class AdminLoginRedirect(RedirectView):
    """The admin signs in through the portal's own sign-in (password, then code): its
    password-only login form would let a password alone open a staff session."""

    http_method_names = ["get", "head", "options"]
    permanent = False
    query_string = True
    pattern_name = "login"


class FaviconRedirect(RedirectView):
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG."""

    http_method_names = ["get", "head", "options"]
    permanent = True

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Each dashboard box loads its panel from here (bcp_portal.dashboard).
    *(
        path(f"panels/{name}/", views.dashboard_panel, {"name": name}, name=f"panel-{name}")
        for name in panel_names()
    ),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("accounts/", include(auth_patterns)),
    path("accounts/settings/", core_views.account_settings, name="account-settings"),
    path("accounts/api-tokens/", api_tokens, name="api-tokens"),
    path("accounts/two-factor/setup/", twofactor_views.two_factor_setup, name="two-factor-setup"),
    path(
        "accounts/two-factor/backup-codes/",
        twofactor_views.two_factor_backup_codes,
        name="two-factor-backup-codes",
    ),
    path(
        "accounts/two-factor/remove/", twofactor_views.two_factor_remove, name="two-factor-remove"
    ),
    re_path(r"^account/(?P<rest>.*)$", LegacyAccountRedirect.as_view(), name="account-legacy"),
    path("tasks/<uuid:pk>/", core_views.task_progress, name="task-progress"),
    path("tasks/<uuid:pk>/download/", core_views.task_download, name="task-download"),
    path("", include("bcp_portal.contacts.urls")),
    path("", include("bcp_portal.catalogue.urls")),
    path("", include("bcp_portal.actions.urls")),
    path("", include("drills.urls")),
    path("", include("compliance.urls")),
    path("", include("incidents.urls")),
    # Notification clocks (compliance, issue #11): the desk and each incident's notifications.
    path("", include("compliance.notification_urls")),
    # Alert intake (incidents): the SRE Lead's pages and the monitors' token-only endpoints.
    path("", include("incidents.intake_urls")),
    # The outbox's channels: the inbox, notification targets, failing deliveries.
    path("", include("bcp_portal.core.channels.urls")),
    # Post-mortems and communication drafts (incidents, issue #10)
    path("", include("incidents.postmortem_urls")),
    # Notification clocks (compliance, issue #11): the what-if deadline planner.
    path("", include("compliance.planner_urls")),
    # Notification clocks (compliance, issue #11): the regimes, switched on or off by the DPO.
    path("", include("compliance.regime_urls")),
    path("admin/login/", AdminLoginRedirect.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("bcp_portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (`?script`),
    # so the page needs no inline script under the Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "bcp_portal.core.views.error_403"
handler404 = "bcp_portal.core.views.error_404"
handler500 = "bcp_portal.core.views.error_500"
