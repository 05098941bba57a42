"""Django's model backend, reading a user's permissions in one query instead of two.

Every page checks a permission, so every page loads the user's permission set once. Django's
`ModelBackend` reads the user's own permissions and their groups' (the portal's roles) in
two queries; `ModelBackend` here reads both in one (a UNION) and caches the same set in the
same place (`user._perm_cache`), so everything else (is_active, superusers, has_perm,
has_module_perms, the per-source sets) is Django's own. tests/bcp_portal/test_auth_backend.py
compares the two backends' answers for every role.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends
from django.contrib.auth.models import Permission


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            columns = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                names = Permission.objects.values_list(*columns).order_by()
            else:
                own = Permission.objects.filter(user=user_obj)
                by_role = Permission.objects.filter(group__user=user_obj)
                names = (
                    own.values_list(*columns)
                    .order_by()
                    .union(by_role.values_list(*columns).order_by())
                )
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in names}
        return user_obj._perm_cache
