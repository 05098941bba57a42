"""Reading what monitors send: Alertmanager's webhook (version 4) and the generic JSON event.

Pure functions, no database: each payload is checked whole and turned into a `Batch` (one
group key and its alerts), or refused with a `PayloadError` naming every field that is
wrong and why (`alerts.2.startsAt`), so nothing is written for a payload with any problem.
The shapes and limits are documented in docs/alert-intake.md; the limits live in
`bcp_portal.core.limits`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bcp_portal.core import limits

FIRING, RESOLVED = "firing", "resolved"
STATUSES = (FIRING, RESOLVED)
SEVERITIES = ("P0", "P1", "P2", "P3")
# RFC 3339, as Alertmanager writes it (Go's time.Time: up to nanoseconds, Z or an offset).
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})", re.I)
# Go's zero time: Alertmanager's "no end yet".
ZERO_TIME_YEAR = 1


@dataclass(frozen=True)
class ReceivedAlert:
    fingerprint: str
    status: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    labels: dict[str, str]
    annotations: dict[str, str]
    generator_url: str = ""
    # A generic event may name these itself; they then win over the mapping table.
    severity: str = ""
    service: str = ""


@dataclass(frozen=True)
class Batch:
    group_key: str
    alerts: list[ReceivedAlert]
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    external_url: str = ""


class PayloadError(Exception):
    """The payload is refused; `fields` maps each field path to what is wrong with it."""

    def __init__(self, fields: dict[str, list[str]], *, status: int = 400) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields
        self.status = status


class _Reader:
    """Collects every problem of one payload, by field path."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def text(
        self, data: dict, key: str, path: str, *, required: bool, max_length: int, empty_ok: bool
    ) -> str:
        if key not in data or data[key] is None:
            if required:
                self.fail(path, "This field is required.")
            return ""
        value = data[key]
        if not isinstance(value, str):
            self.fail(path, f"Must be a string, not {_json_type(value)}.")
            return ""
        if not value and not empty_ok:
            self.fail(path, "Must not be empty.")
        elif len(value) > max_length:
            self.fail(path, f"Is {len(value):,} characters long; the limit is {max_length:,}.")
        elif "\x00" in value:
            self.fail(path, "Holds a NUL character, which is not allowed.")
        return value

    def choice(self, data: dict, key: str, path: str, choices: tuple[str, ...]) -> str:
        value = self.text(data, key, path, required=True, max_length=20, empty_ok=False)
        if value and value not in choices:
            self.fail(path, f"Must be one of {', '.join(choices)}, not {value[:20]!r}.")
            return ""
        return value

    def mapping(
        self, data: dict, key: str, path: str, *, max_items: int, max_value: int, required: bool
    ) -> dict[str, str]:
        """A JSON object of strings (labels, annotations), within the limits."""
        if key not in data or data[key] is None:
            if required:
                self.fail(path, "This field is required.")
            return {}
        value = data[key]
        if not isinstance(value, dict):
            self.fail(path, f"Must be an object of strings, not {_json_type(value)}.")
            return {}
        if len(value) > max_items:
            self.fail(path, f"Has {len(value):,} entries; the limit is {max_items:,}.")
            return {}
        for name, item in value.items():
            where = f"{path}.{name[:40]}"
            if not name or len(name) > limits.INTAKE_LABEL_NAME_MAX:
                self.fail(
                    path,
                    f"A name must be 1 to {limits.INTAKE_LABEL_NAME_MAX} characters long.",
                )
            elif "\x00" in name:
                self.fail(path, "A name holds a NUL character, which is not allowed.")
            elif not isinstance(item, str):
                self.fail(where, f"Must be a string, not {_json_type(item)}.")
            elif len(item) > max_value:
                self.fail(where, f"Is {len(item):,} characters long; the limit is {max_value:,}.")
            elif "\x00" in item:
                self.fail(where, "Holds a NUL character, which is not allowed.")
        return dict(value)

    def url(self, data: dict, key: str, path: str) -> str:
        value = self.text(
            data, key, path, required=False, max_length=limits.INTAKE_URL_MAX, empty_ok=True
        )
        if value and (urlsplit(value).scheme.lower() not in ("http", "https") or " " in value):
            self.fail(path, "Must be an http or https address.")
            return ""
        return value

    def time(self, data: dict, key: str, path: str, *, required: bool) -> datetime | None:
        """An RFC 3339 time with its offset; Go's zero time (year 1) means none."""
        if key not in data or data[key] is None:
            if required:
                self.fail(path, "This field is required.")
            return None
        value = data[key]
        if not isinstance(value, str):
            self.fail(path, f"Must be an RFC 3339 time string, not {_json_type(value)}.")
            return None
        if not RFC3339.fullmatch(value):
            self.fail(path, f"{value[:40]!r} is not an RFC 3339 time (e.g. 2026-11-29T18:00:00Z).")
            return None
        try:
            parsed = datetime.fromisoformat(value.upper())
        except ValueError:
            self.fail(path, f"{value[:40]!r} is not a real date and time.")
            return None
        if parsed.year == ZERO_TIME_YEAR:
            return None
        if not limits.MIN_YEAR <= parsed.year <= limits.MAX_YEAR:
            self.fail(path, f"The year must be {limits.MIN_YEAR} to {limits.MAX_YEAR}.")
            return None
        if parsed > self.now + timedelta(seconds=limits.INTAKE_CLOCK_SKEW_SECONDS):
            self.fail(path, "Lies in the future (more than the allowed clock skew).")
            return None
        return parsed

    def done(self) -> None:
        if self.errors:
            raise PayloadError(self.errors)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return "a string"


def _object(data: Any) -> dict:
    if not isinstance(data, dict):
        raise PayloadError(
            {"non_field_errors": [f"The body must be a JSON object, not {_json_type(data)}."]}
        )
    return data


def _alert_times(
    reader: _Reader, path: str, status: str, starts_at: datetime | None, ends_at: datetime | None
) -> datetime | None:
    """The end kept for an alert: a resolved one must say when, not before it started; a
    firing one's end is only Alertmanager's guess at its expiry, so none is kept."""
    if status != RESOLVED:
        return None
    if ends_at is None:
        reader.fail(f"{path}.endsAt", "A resolved alert needs the time it ended.")
    elif starts_at is not None and ends_at < starts_at:
        reader.fail(f"{path}.endsAt", "A resolved alert cannot end before it started.")
    return ends_at


def alertmanager_batch(data: Any, *, now: datetime) -> Batch:
    """Alertmanager's webhook payload, version 4 (docs/alert-intake.md has the shape)."""
    data = _object(data)
    reader = _Reader(now)
    version = data.get("version")
    if version is None:
        reader.fail("version", "This field is required.")
    elif version != "4":
        reader.fail(
            "version",
            f'Only version "4" of the webhook payload is read, not {str(version)[:20]!r}.',
        )
    group_key = reader.text(
        data,
        "groupKey",
        "groupKey",
        required=True,
        max_length=limits.INTAKE_GROUP_KEY_MAX,
        empty_ok=False,
    )
    reader.choice(data, "status", "status", STATUSES)
    reader.text(
        data,
        "receiver",
        "receiver",
        required=True,
        max_length=limits.INTAKE_TEXT_MAX,
        empty_ok=True,
    )
    truncated = data.get("truncatedAlerts", 0)
    if isinstance(truncated, bool) or not isinstance(truncated, int) or truncated < 0:
        reader.fail("truncatedAlerts", "Must be a whole number, 0 or more.")
    label_limits = {
        "max_items": limits.INTAKE_LABELS_MAX,
        "max_value": limits.INTAKE_LABEL_VALUE_MAX,
    }
    note_limits = {
        "max_items": limits.INTAKE_ANNOTATIONS_MAX,
        "max_value": limits.INTAKE_ANNOTATION_VALUE_MAX,
    }
    reader.mapping(data, "groupLabels", "groupLabels", required=False, **label_limits)
    common_labels = reader.mapping(
        data, "commonLabels", "commonLabels", required=False, **label_limits
    )
    common_notes = reader.mapping(
        data, "commonAnnotations", "commonAnnotations", required=False, **note_limits
    )
    external_url = reader.url(data, "externalURL", "externalURL")
    raw_alerts = data.get("alerts")
    alerts: list[ReceivedAlert] = []
    if raw_alerts is None:
        reader.fail("alerts", "This field is required.")
    elif not isinstance(raw_alerts, list):
        reader.fail("alerts", f"Must be an array of alerts, not {_json_type(raw_alerts)}.")
    elif not raw_alerts:
        reader.fail("alerts", "Must hold at least one alert.")
    elif len(raw_alerts) > limits.INTAKE_ALERTS_MAX:
        reader.fail(
            "alerts",
            f"Holds {len(raw_alerts):,} alerts; the limit is {limits.INTAKE_ALERTS_MAX} "
            "(set max_alerts in the webhook configuration).",
        )
    else:
        for index, raw in enumerate(raw_alerts):
            path = f"alerts.{index}"
            if not isinstance(raw, dict):
                reader.fail(path, f"Must be an object, not {_json_type(raw)}.")
                continue
            status = reader.choice(raw, "status", f"{path}.status", STATUSES)
            labels = reader.mapping(raw, "labels", f"{path}.labels", required=True, **label_limits)
            notes = reader.mapping(
                raw, "annotations", f"{path}.annotations", required=False, **note_limits
            )
            starts_at = reader.time(raw, "startsAt", f"{path}.startsAt", required=True)
            ends_at = reader.time(raw, "endsAt", f"{path}.endsAt", required=False)
            fingerprint = reader.text(
                raw,
                "fingerprint",
                f"{path}.fingerprint",
                required=True,
                max_length=limits.INTAKE_FINGERPRINT_MAX,
                empty_ok=False,
            )
            url = reader.url(raw, "generatorURL", f"{path}.generatorURL")
            ends_at = _alert_times(reader, path, status, starts_at, ends_at)
            if reader.errors or starts_at is None:
                continue
            title = notes.get("summary") or labels.get("alertname") or fingerprint
            alerts.append(
                ReceivedAlert(
                    fingerprint=fingerprint,
                    status=status,
                    title=title[: limits.INTAKE_TEXT_MAX],
                    starts_at=starts_at,
                    ends_at=ends_at,
                    labels=labels,
                    annotations=notes,
                    generator_url=url,
                )
            )
    reader.done()
    return Batch(
        group_key=group_key,
        alerts=alerts,
        common_labels=common_labels,
        common_annotations=common_notes,
        external_url=external_url,
    )


def generic_batch(data: Any, *, now: datetime) -> Batch:
    """One generic event (docs/alert-intake.md): `key` groups events into one incident,
    `fingerprint` (default: the key) de-duplicates them."""
    data = _object(data)
    reader = _Reader(now)
    key = reader.text(
        data, "key", "key", required=True, max_length=limits.INTAKE_GROUP_KEY_MAX, empty_ok=False
    )
    status = reader.choice(data, "status", "status", STATUSES)
    title = reader.text(
        data, "title", "title", required=True, max_length=limits.INTAKE_TEXT_MAX, empty_ok=False
    )
    fingerprint = (
        reader.text(
            data,
            "fingerprint",
            "fingerprint",
            required=False,
            max_length=limits.INTAKE_FINGERPRINT_MAX,
            empty_ok=False,
        )
        or key[: limits.INTAKE_FINGERPRINT_MAX]
    )
    severity = reader.text(
        data, "severity", "severity", required=False, max_length=20, empty_ok=True
    )
    if severity and severity not in SEVERITIES:
        reader.fail("severity", f"Must be one of {', '.join(SEVERITIES)}.")
    service = reader.text(data, "service", "service", required=False, max_length=200, empty_ok=True)
    labels = reader.mapping(
        data,
        "labels",
        "labels",
        required=False,
        max_items=limits.INTAKE_LABELS_MAX,
        max_value=limits.INTAKE_LABEL_VALUE_MAX,
    )
    description = reader.text(
        data,
        "description",
        "description",
        required=False,
        max_length=limits.INTAKE_ANNOTATION_VALUE_MAX,
        empty_ok=True,
    )
    url = reader.url(data, "url", "url")
    starts_at = reader.time(data, "started_at", "started_at", required=False)
    ends_at = reader.time(data, "ended_at", "ended_at", required=False)
    if status == RESOLVED and ends_at is None and "ended_at" not in reader.errors:
        ends_at = now
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        reader.fail("ended_at", "An event cannot end before it started.")
    reader.done()
    alert = ReceivedAlert(
        fingerprint=fingerprint,
        status=status,
        title=title,
        starts_at=starts_at or now,
        ends_at=ends_at if status == RESOLVED else None,
        labels=labels,
        annotations={"description": description} if description else {},
        generator_url=url,
        severity=severity,
        service=service,
    )
    return Batch(group_key=key, alerts=[alert])
