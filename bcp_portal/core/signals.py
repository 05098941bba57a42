from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import User
from django.db.models.signals import post_save
from django.dispatch import receiver

from bcp_portal.core.models import UserProfile
from bcp_portal.core.roles import sync_roles


def after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Keep the role groups' permissions equal to the role file after every migrate."""
    # post_migrate reaches this app before the apps listed after it: make every app's
    # permissions exist first so the role file can name them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(using=using)


@receiver(post_save, sender=get_user_model())
def ensure_profile(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        UserProfile.objects.get_or_create(user=instance)
