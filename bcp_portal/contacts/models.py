"""The contact directory: people to reach who are not users of the portal."""

from django.db import models

from bcp_portal.core.audit import history
from bcp_portal.core.links import detail_url


class Contact(models.Model):
    """A person who is not a user: an executive, a vendor, an authority."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXECUTIVE = "executive", "Executive"
        VENDOR = "vendor", "Vendor"
        AUTHORITY = "authority", "Authority"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    organisation = models.CharField(max_length=200, blank=True)
    role_title = models.CharField("role or title", max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    chat_handle = models.CharField(max_length=80, blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name if not self.organisation else f"{self.name} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return detail_url("contacts:contact-detail", self.pk)
