"""Passwords: the reset mail, whose link exists only in the mail, and the record of every
change, however it was made.

A reset request stores an outbox message of kind `password_reset` addressed to the user:
no link, no token, no key derived from one. The delivery task makes the link
(`render_password_reset`), so the link lives only in the mail the user receives.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.models import AccountEvent, OutboxMessage
from bcp_portal.core.outbox import RenderedMessage, outbox_add

PASSWORD_RESET_KIND = "password_reset"
RESET_SUBJECT = "Reset your BCP Portal password"
# What the outbox row says instead of the link (staff read it in the admin).
RESET_STORED_BODY = (
    "A link to choose a new password. The link is made when the mail is sent and is not stored."
)


# --- Reset ------------------------------------------------------------------------------


@transaction.atomic
def password_reset_request(*, user: User) -> OutboxMessage:
    """Queue a reset mail for `user` and record the request.

    Requests within the same minute share one mail (the key names the minute), so a
    double-click or a script cannot fill someone's mailbox faster than that.
    """
    minute = timezone.now().strftime("%Y%m%dT%H%M")
    message = outbox_add(
        key=f"password-reset:{user.pk}:{minute}",
        subject=RESET_SUBJECT,
        body=RESET_STORED_BODY,
        to_user=user,
        kind=PASSWORD_RESET_KIND,
    )
    account_event_record(
        user=user, kind=AccountEvent.Kind.PASSWORD_RESET_REQUESTED, detail={"message": message.pk}
    )
    return message


def password_reset_link(user: User) -> str:
    """A fresh reset link for `user` (valid for PASSWORD_RESET_TIMEOUT): never store it."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def render_password_reset(message: OutboxMessage) -> RenderedMessage:
    """The outbox renderer of `password_reset` messages: the link is made here, at delivery."""
    user = message.to_user
    if user is None:
        raise ValueError("A password reset message is addressed to one user.")
    body = loader.render_to_string(
        "registration/password_reset_email.txt",
        {
            "user": user,
            "link": password_reset_link(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )
    return RenderedMessage(subject=message.subject, body=body)
