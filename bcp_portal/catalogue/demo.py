"""Demo catalogue: the runbook's data stores and providers (created once, never reset)."""

from bcp_portal.catalogue.models import Service

H = 60
CATALOGUE = [
    # name, kind, impact, priority, region, extra fields, (rto target, rto max, rpo target, rpo max)
    (
        "Authentication",
        Service.Kind.SERVICE,
        "critical",
        "P0",
        "eu-west-1",
        {
            "data_category": "User credentials",
            "backup_frequency": "Real-time replication",
            "owner_team": "Identity",
        },
        (2 * H, 4 * H, 15, H),
    ),
    (
        "Payments API",
        Service.Kind.SERVICE,
        "critical",
        "P0",
        "eu-west-1",
        {"owner_team": "Payments"},
        (H, 4 * H, 15, H),
    ),
    (
        "Consultations",
        Service.Kind.SERVICE,
        "critical",
        "P0",
        "eu-west-1",
        {"owner_team": "Product"},
        (2 * H, 8 * H, H, 4 * H),
    ),
    (
        "Order management",
        Service.Kind.SERVICE,
        "important",
        "P1",
        "eu-west-1",
        {"owner_team": "Commerce"},
        (4 * H, 24 * H, H, 4 * H),
    ),
    (
        "PostgreSQL primary",
        Service.Kind.DATA_STORE,
        "critical",
        "P0",
        "eu-west-1",
        {
            "data_category": "All relational data",
            "backup_frequency": "Hourly WAL, daily full",
            "owner_team": "SRE",
        },
        (2 * H, 4 * H, H, 4 * H),
    ),
    (
        "Media storage",
        Service.Kind.DATA_STORE,
        "important",
        "P1",
        "eu-west-1",
        {
            "data_category": "Media files, audio",
            "backup_frequency": "Daily snapshot",
            "owner_team": "SRE",
        },
        (H, 24 * H, 24 * H, 24 * H),
    ),
    (
        "Configuration store",
        Service.Kind.DATA_STORE,
        "moderate",
        "P2",
        "eu-west-1",
        {"data_category": "App settings", "backup_frequency": "Weekly", "owner_team": "SRE"},
        (4 * H, 24 * H, 4 * H, 7 * 24 * H),
    ),
    (
        "Stripe",
        Service.Kind.PROVIDER,
        "critical",
        "P0",
        "global",
        {
            "provided_service": "Payments (primary)",
            "fallback": "Square",
            "expected_recovery_minutes": 5,
        },
        (5, 30, 0, 15),
    ),
    (
        "Square",
        Service.Kind.PROVIDER,
        "important",
        "P1",
        "global",
        {
            "provided_service": "Payments (backup)",
            "fallback": "Manual processing",
            "expected_recovery_minutes": 30,
        },
        (30, 4 * H, 0, 15),
    ),
    (
        "Twilio",
        Service.Kind.PROVIDER,
        "important",
        "P1",
        "global",
        {
            "provided_service": "SMS and voice",
            "fallback": "Delayed delivery",
            "expected_recovery_minutes": 15,
        },
        (15, 4 * H, 0, 60),
    ),
]


def load_catalogue(out) -> None:
    for name, kind, impact, priority, region, extra, objectives in CATALOGUE:
        rto_t, rto_m, rpo_t, rpo_m = objectives
        _, created = Service.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "business_impact": impact,
                "recovery_priority": priority,
                "region": region,
                "rto_target_minutes": rto_t,
                "rto_max_minutes": rto_m,
                "rpo_target_minutes": rpo_t,
                "rpo_max_minutes": rpo_m,
                **extra,
            },
        )
        if created:
            out.write(f"Catalogue: added {name}")
