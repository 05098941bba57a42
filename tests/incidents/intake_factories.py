"""Alert intake in tests: sources made through the service, payloads as monitors send them."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from incidents.models import IncidentType, IntakeSource
from incidents.services.intake_sources import intake_mappings_set, intake_source_create

ALERTMANAGER_URL = "/api/intake/alertmanager"
GENERIC_URL = "/api/intake/generic"
GROUP_KEY = '{}/{severity=~"critical|warning"}:{alertname="HighErrorRate"}'


def make_source(
    actor, *, kind: str = IntakeSource.Kind.ALERTMANAGER, name: str = "Prometheus prod", **fields
) -> tuple[IntakeSource, str]:
    return intake_source_create(
        actor=actor,
        name=name,
        kind=kind,
        default_incident_type=fields.pop(
            "default_incident_type", IncidentType.objects.get(key="application-outage")
        ),
        default_severity=fields.pop("default_severity", "P3"),
        **fields,
    )


def set_mappings(actor, source: IntakeSource, rows: list[dict[str, Any]]) -> None:
    intake_mappings_set(actor=actor, source=source, rows=rows)


def am_alert(
    *,
    status: str = "firing",
    fingerprint: str = "5f4e3d2c1b0a9988",
    alertname: str = "HighErrorRate",
    labels: dict[str, str] | None = None,
    summary: str = "Checkout answers 5xx to more than 5% of requests",
    starts_at: str = "2026-11-29T11:50:00.123456789Z",
    ends_at: str = "0001-01-01T00:00:00Z",
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": alertname, "severity": "critical", **(labels or {})},
        "annotations": {"summary": summary},
        "startsAt": starts_at,
        "endsAt": ends_at,
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=rate",
        "fingerprint": fingerprint,
    }


def am_payload(*alerts: dict[str, Any], group_key: str = GROUP_KEY, **top: Any) -> dict:
    alerts = alerts or (am_alert(),)
    status = "firing" if any(a.get("status") == "firing" for a in alerts) else "resolved"
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "bcp-portal",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {"alertname": "HighErrorRate"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": list(alerts),
        **top,
    }


def post(
    token: str, body: Any, *, url: str = ALERTMANAGER_URL, client: Client | None = None, **extra
):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
    return (client or Client()).post(
        url, data, content_type=extra.pop("content_type", "application/json"), **extra
    )
