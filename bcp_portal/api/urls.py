"""The API router: every app registers its viewsets here, under /api/v1/."""

from django.urls import path
from knox import views as knox_views
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from bcp_portal.api import views
from incidents.api import ServiceViewSet


class TokenLoginView(knox_views.LoginView):
    """POST with HTTP basic auth (or a session) to get a token; only its hash is stored."""

    authentication_classes = [BasicAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


app_name = "api"

router = DefaultRouter(trailing_slash=False)
router.include_format_suffixes = False
router.register("services", ServiceViewSet, basename="service")

urlpatterns = [
    path("me", views.me, name="me"),
    path("auth/login", TokenLoginView.as_view(), name="token-login"),
    path("auth/logout", knox_views.LogoutView.as_view(), name="token-logout"),
    path("auth/logoutall", knox_views.LogoutAllView.as_view(), name="token-logoutall"),
    *router.urls,
]
