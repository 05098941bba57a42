from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from bcp_portal.roles import user_roles


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
def me(request):
    user = request.user
    profile = getattr(user, "profile", None)
    data = {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "roles": sorted(user_roles(user)),
        "time_zone": profile.time_zone if profile else "UTC",
        "is_staff": user.is_staff,
    }
    return Response(MeSerializer(data).data)
