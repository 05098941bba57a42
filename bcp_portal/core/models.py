"""The machinery's tables: people settings, the outbox and task progress.

Profiles keep history. Operational rows (outbox messages, delivery
attempts, task progress) do not: they are the machinery, and the outbox is claimed with a
compare-and-swap `update()`, which history would not see.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bcp_portal.core.audit import history
from bcp_portal.core.dates import DateFormat


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone, e.g. Europe/Paris.")


class NotificationPreference(models.TextChoices):
    """A person's own fallback chain, used when a message names no channels."""

    EMAIL = "email", "Email only"
    INAPP_EMAIL = "inapp,email", "The portal's inbox, then email"


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Times are stored in UTC and shown to you in this zone.",
    )
    date_format = models.CharField(
        max_length=8,
        choices=DateFormat.choices,
        default=DateFormat.ISO,
        help_text="How dates are shown to you on pages, lists, history and PDFs.",
    )
    phone = models.CharField(max_length=40, blank=True)
    chat_handle = models.CharField(max_length=80, blank=True)
    notify_channels = models.CharField(
        "notifications",
        max_length=32,
        choices=NotificationPreference.choices,
        default=NotificationPreference.EMAIL,
        help_text="Where messages reach you when their sender names no channel; email is "
        "always the last resort.",
    )

    history = history()

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class OutboxMessage(models.Model):
    """One notification to one addressee; delivered by a task, at most once per key."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    dedup_key = models.CharField(max_length=255, unique=True)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    to_role = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE)
    to_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE
    )
    subject = models.CharField(max_length=255)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True, help_text="Link to the object concerned.")
    channels = models.JSONField(
        default=list,
        blank=True,
        help_text="The channels to try, in order (a fallback chain); empty: the addressee's "
        "own preference, else email.",
    )
    kind = models.CharField(
        max_length=40,
        blank=True,
        help_text=(
            "Set for a message made at delivery (`outbox.register_renderer`): one that carries "
            "a secret, such as a password reset link, which is never stored here."
        ),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="outbox_exactly_one_addressee",
                condition=(
                    Q(to_user__isnull=False, to_role__isnull=True, to_contact__isnull=True)
                    | Q(to_user__isnull=True, to_role__isnull=False, to_contact__isnull=True)
                    | Q(to_user__isnull=True, to_role__isnull=True, to_contact__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.addressee}"

    @property
    def addressee(self) -> str:
        if self.to_user_id:
            return f"user {self.to_user}"
        if self.to_role_id:
            return f"role {self.to_role}"
        return f"contact {self.to_contact}"


class DeliveryAttempt(models.Model):
    """One try to deliver a message on one channel to one address."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    channel = models.CharField(max_length=64)
    # Who this try was for ("user:7", "contact:3"): a retry skips addressees already served
    # on any channel of their chain. Blank on rows from before fallback chains.
    recipient = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=255, blank=True)
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address}: {'ok' if self.ok else 'failed'}"


class TaskProgress(models.Model):
    """Progress of a long piece of work (a large PDF, an export) that a page polls."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=255)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result_file = models.CharField(max_length=500, blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "task progress"

    def __str__(self) -> str:
        return f"{self.title} ({self.status}, {self.percent}%)"

    def get_absolute_url(self) -> str:
        return reverse("task-progress", args=[self.pk])


class AccountEvent(models.Model):
    """One security-relevant event on a person's account, append-only.

    Password changes and resets, credentials revoked, two-factor enrolment and resets,
    offboarding: who it happened to, who did it, from where (the audit context's source and
    request id) and the facts in `detail` (never a secret). Rows are never changed or
    deleted; the admin shows them read-only.
    """

    class Kind(models.TextChoices):
        PASSWORD_CHANGED = "password_changed", "Password changed by its owner"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
        PASSWORD_RESET = "password_reset", "Password reset through an e-mailed link"
        PASSWORD_SET_BY_STAFF = "password_set_by_staff", "Password set by an administrator"
        CREDENTIALS_REVOKED = "credentials_revoked", "API tokens and feed links revoked"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token or feed link revoked"
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor authentication set up"
        TWO_FACTOR_REMOVED = "two_factor_removed", "Two-factor authentication removed"
        TWO_FACTOR_RESET_BY_STAFF = "two_factor_reset_by_staff", "Two-factor reset by staff"
        BACKUP_CODES_REGENERATED = "backup_codes_regenerated", "Backup codes replaced"
        REAUTH_FAILED = "reauth_failed", "Re-authentication failed"
        OFFBOARDED = "offboarded", "Deactivated as a leaver"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who did it; empty when nobody was signed in (a reset link, a task).",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    detail = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="core_acctevent_user_at")]
        # Powers over other people's accounts; no role holds them (roles.json): superusers,
        # or a user they are granted to one by one in the admin (docs/ARCHITECTURE.md).
        permissions = [
            ("revoke_credentials", "Can revoke anyone's API tokens and calendar feeds"),
            ("offboard_user", "Can offboard a leaver (deactivate, revoke, hand over work)"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Account events are append-only.")
        super().save(*args, **kwargs)


class SubmissionKey(models.Model):
    """One write sent once: a form's one-time token, or an API call's Idempotency-Key.

    Written in the same transaction as the write it guards, under a unique (user, key): a
    second request with the same key (a double click, a resubmitted page, a retried API
    call) waits for the first to commit, then finds this row and answers with the first
    one's result instead of writing again (`bcp_portal.core.submissions`). Operational, not
    historised; rows older than `submissions.KEEP_FOR` are pruned by a daily task.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=160)
    # A page's answer: where the first submission went.
    result_url = models.CharField(max_length=500, blank=True)
    # An API call's answer, replayed as it was; and what it asked, so a reused key with
    # another request is refused rather than answered with someone else's result.
    request_digest = models.CharField(max_length=64, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.user_id}"


class SignOff(models.Model):
    """One signature of the portal's one signing service (`bcp_portal.core.signing`).

    Who signed, in which role, what they decided and the SHA-256 of exactly what they were
    shown (`signing.canonical_bytes`). A signature is valid while it is not voided: an edit
    of what was signed voids every signature over the old content (and the hash no longer
    matches, which the service checks as well). The database keeps one valid approval per
    role and one per person on each subject, so one person never fills two roles.
    """

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        REVIEWED = "reviewed", "Reviewed, no change needed"

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    purpose = models.CharField(max_length=40)
    subject_label = models.CharField(max_length=300)
    role = models.CharField(max_length=64)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64)
    canonical_version = models.PositiveSmallIntegerField()
    signed_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    history = history()

    class Meta:
        ordering = ["subject_type", "subject_id", "signed_at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="core_signoff_subject"),
            models.Index(fields=["signer", "-signed_at"], name="core_signoff_signer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "role"],
                condition=Q(voided_at__isnull=True, decision="approve"),
                name="signoff_one_approval_per_role",
                violation_error_message="This role has already approved this content.",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "signer"],
                condition=Q(voided_at__isnull=True, decision="approve"),
                name="signoff_one_role_per_person",
                violation_error_message=(
                    "You have already approved this; one person cannot fill two roles."
                ),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_decision_display()} by {self.signer} as {self.role}: {self.subject_label}"
        )

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None


# --- Notification channels: targets, the in-app inbox (docs/notifications.md) -------------


class NotificationTarget(models.Model):
    """Somewhere outside the portal a message may go: a chat webhook or PagerDuty.

    Set by the SRE Lead only (`core.add_notificationtarget`). The secret (the webhook's
    signing secret or PagerDuty's routing key) is never shown back and never kept in
    history; the address is checked when saved and again, resolved, at every send
    (`bcp_portal.core.channels.netguard`).
    """

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack-compatible webhook"
        JSON = "json", "Generic JSON webhook"
        PAGERDUTY = "pagerduty", "PagerDuty Events v2"

    name = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Letters, digits and hyphens; senders name it as webhook:<name> or "
        "pagerduty:<name>.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    url = models.URLField(
        max_length=500,
        help_text="http(s) only; link-local and cloud-metadata addresses are refused.",
    )
    secret = models.CharField(
        max_length=200,
        help_text="The webhook's signing secret, or PagerDuty's routing key. Never shown "
        "again once saved.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history(excluded_fields=["secret"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def channel(self) -> str:
        """The channel name a sender puts in `outbox_add(channels=[...])`."""
        prefix = "pagerduty" if self.kind == self.Kind.PAGERDUTY else "webhook"
        return f"{prefix}:{self.name}"

    def clean(self) -> None:
        from bcp_portal.core.channels.netguard import UnsafeAddress, check_url

        try:
            check_url(self.url)
        except UnsafeAddress as exc:
            raise ValidationError({"url": str(exc)}) from exc


class InboxItem(models.Model):
    """One message in a person's in-app inbox (operational: not historised)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items"
    )
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="core_inbox_user_created"),
            # The navigation bar's unread count on every page reads only this.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="core_inbox_unread"
            ),
        ]
        constraints = [
            # A retried delivery never puts the same message in an inbox twice.
            models.UniqueConstraint(fields=["user", "message"], name="inbox_once_per_message")
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.user}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
