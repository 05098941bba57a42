from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.core.api.errors import error_json
from bcp_portal.core.people import user_zone
from bcp_portal.core.roles import user_roles


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField()
    is_staff = serializers.BooleanField()


@extend_schema(responses=MeSerializer, summary="The signed-in user, with roles and time zone")
@api_view(["GET"])
def me(request: Request) -> Response:
    user = cast(User, request.user)  # RolePermissions admits signed-in users only
    data = {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "roles": sorted(user_roles(user)),
        "time_zone": user_zone(user).key,
        "is_staff": user.is_staff,
    }
    return Response(MeSerializer(data).data)


@csrf_exempt  # it changes nothing; a CSRF page would hide the error shape from clients
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other URL under /api/v1/: a 404 in the API's error shape, not the HTML page."""
    return error_json("not_found", f"No API endpoint at “{request.path}”.", 404)
