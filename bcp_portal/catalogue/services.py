"""Writes for the service catalogue."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bcp_portal.catalogue.models import OrganisationProfile, Service
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.models import validate_time_zone
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor

# What a person may set on a catalogue entry: the form and the API both offer exactly these.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "description",
    "owner_team",
    "business_impact",
    "recovery_priority",
    "region",
    "data_category",
    "backup_frequency",
    "provided_service",
    "fallback",
    "expected_recovery_minutes",
    "rto_target_minutes",
    "rto_max_minutes",
    "rpo_target_minutes",
    "rpo_max_minutes",
    "is_active",
)
PROFILE_FIELDS = (
    "name",
    "rto_target_minutes",
    "rto_max_minutes",
    "rpo_target_minutes",
    "rpo_max_minutes",
    "availability_target",
    "availability_min",
    "time_zone",
)
OBJECTIVE_FIELDS = (
    "rto_target_minutes",
    "rto_max_minutes",
    "rpo_target_minutes",
    "rpo_max_minutes",
)


@transaction.atomic
def service_create(*, actor: Actor, **fields: Any) -> Service:
    """Add a catalogue entry; objectives not given default to the organisation's."""
    require_perm(actor, "catalogue.add_service")
    profile = organisation_profile()
    for name in OBJECTIVE_FIELDS:
        if fields.get(name) is None:
            fields[name] = getattr(profile, name)
    return save_audited(Service(**fields), actor=actor)


@transaction.atomic
def service_update(*, actor: Actor, service: Service, **fields: Any) -> Service:
    require_perm(actor, "catalogue.change_service")
    if apply_changes(service, fields):
        save_audited(service, actor=actor)
    return service


@transaction.atomic
def organisation_profile_update(
    *, actor: Actor, profile: OrganisationProfile, **fields: Any
) -> OrganisationProfile:
    """Change the organisation's objectives (new entries' defaults) or its time zone."""
    require_perm(actor, "catalogue.change_organisationprofile")
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(unknown)}.")
    if "time_zone" in fields:
        try:
            validate_time_zone(fields["time_zone"])
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from exc
    if apply_changes(profile, fields):
        save_audited(profile, actor=actor)
    return profile
