"""Roles are Django groups; what each may do is one data file, synced after `migrate`.

The file is the single source of truth for role permissions: a sync makes each group's
permissions exactly what the file lists, so a permission granted by hand in the admin to a
*group* does not survive the next deploy (grant it to a user, or add it to the file).
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeAlias

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponseBase

from bcp_portal.core.typehints import Actor

ROLES_FILE = Path(__file__).parent / "data" / "roles.json"

SRE = "SRE"
SRE_LEAD = "SRE Lead"
ENGINEERING_MANAGER = "Engineering Manager"
CTO = "CTO"
DPO = "DPO"
LEGAL_COUNSEL = "Legal Counsel"
AUDITOR = "Auditor"
ALL_ROLES = (SRE, SRE_LEAD, ENGINEERING_MANAGER, CTO, DPO, LEGAL_COUNSEL, AUDITOR)
MANAGERS = (SRE_LEAD, ENGINEERING_MANAGER, CTO)

# A function view, as the view decorators below take and return it.
View: TypeAlias = Callable[..., HttpResponseBase]


def load_role_map(path: Path = ROLES_FILE) -> dict[str, list[str]]:
    data = json.loads(path.read_text())
    roles: dict[str, list[str]] = data["roles"]
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"{path.name} names unknown roles: {sorted(unknown)}")
    return roles


def _matching(patterns: Iterable[str], permissions: list[Permission]) -> set[int]:
    ids: set[int] = set()
    for pattern in patterns:
        matched = [
            p.pk
            for p in permissions
            if fnmatch.fnmatchcase(f"{p.content_type.app_label}.{p.codename}", pattern)
        ]
        ids.update(matched)
    return ids


def sync_roles(*, using: str = "default", role_map: dict[str, list[str]] | None = None) -> None:
    """Create the groups and set their permissions to what the role file says."""
    role_map = role_map if role_map is not None else load_role_map()
    permissions = list(Permission.objects.using(using).select_related("content_type"))
    for role in ALL_ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = _matching(role_map.get(role, []), permissions)
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)


def user_roles(user: Actor) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached: set[str] | None = getattr(user, "_bcp_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        remember_roles(user, cached)
    return cached


def role_holders() -> QuerySet[User]:
    """Active accounts holding one of the roles: who may own an action or take part in a
    drill, and whom every people picker lists (by name). An account without a role cannot
    open the portal's pages, so work given to it would sit unseen."""
    in_a_role = Group.user_set.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=ALL_ROLES
    )
    return User.objects.filter(Exists(in_a_role), is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def role_holders_and(current_id: int | None = None) -> QuerySet[User]:
    """`role_holders()`, plus the person chosen now (`current_id`) even if they have since
    lost their role: a form that edits something else must not change who was chosen, and
    services check only a *new* choice (with `holds_role`)."""
    people = role_holders()
    if current_id is None:
        return people
    return User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current_id)).order_by(
        "first_name", "last_name", "username"
    )


def holds_role(user: User) -> bool:
    """`user` is one of `role_holders()` (active, in a role)."""
    return role_holders().filter(pk=user.pk).exists()


def remember_roles(user: Actor, names: set[str]) -> None:
    """Keep `user`'s roles for this request (the request's user object lives as long): the
    auth backend reads them with the permissions, in the same query."""
    user._bcp_roles = names  # type: ignore[union-attr]  # a per-request cache on the user


def has_role(user: Actor, *roles: str) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user_roles(user) & set(roles)))


def require_role(user: Actor, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles (superusers pass)."""
    if not has_role(user, *roles):
        raise PermissionDenied(f"This needs one of the roles: {', '.join(roles)}.")


def require_perm(user: Actor, perm: str) -> None:
    if not (user.is_authenticated and user.has_perm(perm)):
        action = perm.split(".", 1)[-1].replace("_", " ")
        raise PermissionDenied(f"Your roles do not allow this (it needs permission to {action}).")


def role_required(*roles: str) -> Callable[[View], View]:
    """View decorator: the user must hold one of the roles."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_required(perm: str) -> Callable[[View], View]:
    """View decorator: 403 (not a login redirect) for a signed-in user without `perm`."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
