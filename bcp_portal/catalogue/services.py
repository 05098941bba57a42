"""Writes for the service catalogue."""

from __future__ import annotations

import re
from typing import Any

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction

from bcp_portal.catalogue import regulatory
from bcp_portal.catalogue.models import (
    CompetentAuthority,
    LegalEntity,
    OrganisationProfile,
    Service,
)
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


# --- Legal entities and competent authorities (the notification clocks read them) ----------

LEGAL_ENTITY_FIELDS = (
    "name",
    "registration",
    "jurisdictions",
    "statuses",
    "holiday_calendars",
    "time_zone",
    "is_active",
)
AUTHORITY_FIELDS = (
    "name",
    "jurisdiction",
    "regimes",
    "email",
    "phone",
    "portal_url",
    "address",
    "notes",
    "is_active",
)
_REGIME_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _known_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(unknown)}.")


def _codes(value: Any) -> Any:
    """A list of codes as stored: stripped, upper case, each once, in the order given."""
    if not isinstance(value, list | tuple):
        return value
    return list(dict.fromkeys(str(v).strip().upper() for v in value if str(v).strip()))


def check_holiday_calendars(codes: list[str]) -> None:
    """Each code names a calendar the `holidays` package has (FR, DE-BY, US, GB-ENG)."""
    unknown = []
    for code in codes:
        country, _, subdiv = code.partition("-")
        try:
            holidays.country_holidays(country, subdiv=subdiv or None)
        except NotImplementedError:
            unknown.append(code)
    if unknown:
        raise ValidationError(
            {"holiday_calendars": f"No holiday calendar is known for: {', '.join(unknown)}."}
        )


def _entity_fields(fields: dict[str, Any]) -> dict[str, Any]:
    _known_fields(fields, LEGAL_ENTITY_FIELDS)
    for name in ("jurisdictions", "holiday_calendars"):
        if name in fields:
            fields[name] = _codes(fields[name])
    if "statuses" in fields and isinstance(fields["statuses"], list | tuple):
        fields["statuses"] = list(dict.fromkeys(fields["statuses"]))
    return fields


def _check_entity(entity: LegalEntity) -> None:
    entity.full_clean()
    check_holiday_calendars(entity.holiday_calendars)


@transaction.atomic
def legal_entity_create(*, actor: Actor, **fields: Any) -> LegalEntity:
    """Add a legal entity of the organisation: where it is, its status under each regime."""
    require_perm(actor, "catalogue.add_legalentity")
    entity = LegalEntity(profile=organisation_profile(), **_entity_fields(fields))
    _check_entity(entity)
    return save_audited(entity, actor=actor, exclude=["profile"])


@transaction.atomic
def legal_entity_update(*, actor: Actor, entity: LegalEntity, **fields: Any) -> LegalEntity:
    require_perm(actor, "catalogue.change_legalentity")
    if apply_changes(entity, _entity_fields(fields)):
        _check_entity(entity)
        save_audited(entity, actor=actor, exclude=["profile"])
    return entity


def _authority_fields(fields: dict[str, Any]) -> dict[str, Any]:
    _known_fields(fields, AUTHORITY_FIELDS)
    if "jurisdiction" in fields and isinstance(fields["jurisdiction"], str):
        fields["jurisdiction"] = fields["jurisdiction"].strip().upper()
    regimes = fields.get("regimes")
    if regimes is not None:
        if not isinstance(regimes, list | tuple) or not all(isinstance(r, str) for r in regimes):
            raise ValidationError({"regimes": "Give a list of regime keys."})
        regimes = list(dict.fromkeys(r.strip() for r in regimes if r.strip()))
        bad = [r for r in regimes if not _REGIME_KEY.match(r)]
        if bad:
            raise ValidationError(
                {"regimes": f"Not a regime key: {', '.join(bad)} (e.g. eu_gdpr_art33_art34)."}
            )
        unknown = regulatory.unknown_regime_keys(regimes)
        if unknown:
            raise ValidationError(
                {"regimes": f"No such regime: {', '.join(unknown)} (e.g. eu_gdpr_art33_art34)."}
            )
        fields["regimes"] = regimes
    return fields


@transaction.atomic
def competent_authority_create(*, actor: Actor, **fields: Any) -> CompetentAuthority:
    """Add an authority the organisation notifies, with its contact details."""
    require_perm(actor, "catalogue.add_competentauthority")
    return save_audited(CompetentAuthority(**_authority_fields(fields)), actor=actor)


@transaction.atomic
def competent_authority_update(
    *, actor: Actor, authority: CompetentAuthority, **fields: Any
) -> CompetentAuthority:
    require_perm(actor, "catalogue.change_competentauthority")
    if apply_changes(authority, _authority_fields(fields)):
        save_audited(authority, actor=actor)
    return authority
