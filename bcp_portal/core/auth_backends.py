"""Django's model backend, reading a user's permissions and roles in one query instead of three.

Every page checks a permission, so every page loads the user's permission set once. Django's
`ModelBackend` reads the user's own permissions and their groups' (the portal's roles) in
two queries, and the portal reads the roles' names in a third (`roles.user_roles`, for the
dashboard and the managers' rules). `ModelBackend` here reads all three in one (a UNION),
caches the same set in the same place (`user._perm_cache`) and keeps the roles where
`roles.user_roles` looks; everything else (is_active, superusers, has_perm, has_module_perms,
the per-source sets) is Django's own. tests/bcp_portal/test_auth_backend.py compares the two
backends' answers for every role.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends
from django.contrib.auth.models import Group, Permission, User
from django.db.models import CharField, QuerySet, Value

from bcp_portal.core import roles


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                names = Permission.objects.values_list("content_type__app_label", "codename")
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in names}
            else:
                user_obj._perm_cache = self._permissions_and_roles(user_obj)
        return user_obj._perm_cache

    @staticmethod
    def _permissions_and_roles(user_obj: Any) -> set[str]:
        """The user's permissions, their own and their roles', keeping the roles' names for
        `roles.user_roles` as they come: one query, each row a role ("" for a permission of
        the user's own) and a permission (none for a role that grants none)."""
        own = Permission.objects.filter(user=user_obj).values_list(
            Value("", output_field=CharField()), "content_type__app_label", "codename"
        )
        by_role = Group.objects.filter(user=user_obj).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        rows = list(own.order_by().union(by_role.order_by(), all=True))
        roles.remember_roles(user_obj, {role for role, _, _ in rows if role})
        return {f"{app}.{codename}" for _, app, codename in rows if codename}


def user_with_permissions(users: QuerySet[User]) -> User | None:
    """The one user `users` selects, with the permissions and roles `ModelBackend` would read
    for it already cached: one query where reading the user, then asking `has_perm`, is two
    (a service acting as a fixed account, such as alert intake's, on every request).

    The same rows as `_permissions_and_roles`, each carrying the user's own columns; an
    inactive user or a superuser is left to the backend (it needs no query for the first and
    reads every permission for the second). None when no user matches."""
    fields = [f.attname for f in User._meta.concrete_fields]
    own = users.values_list(
        *fields,
        Value("", output_field=CharField()),
        "user_permissions__content_type__app_label",
        "user_permissions__codename",
    )
    by_role = users.values_list(
        *fields,
        "groups__name",
        "groups__permissions__content_type__app_label",
        "groups__permissions__codename",
    )
    rows = list(own.order_by().union(by_role.order_by(), all=True))
    if not rows:
        return None
    count = len(fields)
    user = User.from_db(users.db, fields, rows[0][:count])
    if user.is_active and not user.is_superuser:
        user._perm_cache = {  # type: ignore[attr-defined]  # where ModelBackend keeps them
            f"{app}.{codename}" for *_, app, codename in rows if codename
        }
        roles.remember_roles(user, {row[count] for row in rows if row[count]})
    return user
