"""Type aliases shared across the portal (named so as not to shadow the stdlib `typing`).

`Actor` is whoever a write or a read is done for: `request.user` on a page or in the API,
the `system` user in tasks and commands. The portal uses Django's own user model.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = User | AnonymousUser
