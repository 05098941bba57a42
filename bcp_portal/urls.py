from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bcp_portal import views
from bcp_portal.api.token_views import api_tokens
from bcp_portal.forms import OutboxPasswordResetForm

admin.site.site_header = "BCP Portal administration"
admin.site.site_title = "BCP Portal admin"
admin.site.index_title = "Records and settings"

auth_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
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
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include(auth_patterns)),
    path("account/settings/", views.account_settings, name="account-settings"),
    path("account/api-tokens/", api_tokens, name="api-tokens"),
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("tasks/<uuid:pk>/", views.task_progress, name="task-progress"),
    path("tasks/<uuid:pk>/download/", views.task_download, name="task-download"),
    path("", include("incidents.urls")),
    path("", include("drills.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("bcp_portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "bcp_portal.views.error_403"
handler404 = "bcp_portal.views.error_404"
handler500 = "bcp_portal.views.error_500"
