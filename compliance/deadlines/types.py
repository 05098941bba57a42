"""What the deadline engine reads and what it answers (plain Python, no database).

The pages, the tasks, the API, `manage.py deadlines` and the what-if planner all build a
`Case` and call `compliance.deadlines.engine.evaluate`; the stored clocks of an incident are
the engine's answers written down (`compliance.notifications`).

Times are aware datetimes. A dated fact keeps the zone it was recorded in (the planner's
"dated facts with their time zones"); the engine converts to UTC for elapsed-hour counting
and to the relevant local zone for day counting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

# --- Dated facts ---------------------------------------------------------------------------
# What a clock may run from. Detection comes from the incident itself; the others are facts
# recorded on the incident in `compliance` (or typed into the planner).
DETECTION = "detection"
AWARENESS = "awareness"
CONTROLLER_AWARENESS = "controller_awareness"
PROCESSOR_AWARENESS = "processor_awareness"
CLASSIFICATION_MAJOR = "classification_major"
MATERIALITY_DETERMINATION = "materiality_determination"
DISCOVERY = "discovery"
BREACH_DETERMINATION = "breach_determination"

DATED_FACTS: dict[str, str] = {
    DETECTION: "Detection",
    AWARENESS: "Awareness of the incident",
    CONTROLLER_AWARENESS: "Controller aware of the personal data breach",
    PROCESSOR_AWARENESS: "Processor aware of the personal data breach",
    CLASSIFICATION_MAJOR: "Classified as major (DORA)",
    MATERIALITY_DETERMINATION: "Determined material (SEC)",
    DISCOVERY: "Breach discovered (HIPAA, US states)",
    BREACH_DETERMINATION: "Breach determined (US states, NYDFS, PIPEDA)",
}

# The GDPR risk assessment of a personal data breach (Art. 33(1), Art. 34(1)).
RISK_NONE = "none"
RISK = "risk"
RISK_HIGH = "high_risk"
GDPR_RISK_LEVELS: dict[str, str] = {
    RISK_NONE: "Unlikely to result in a risk",
    RISK: "Likely to result in a risk",
    RISK_HIGH: "Likely to result in a high risk",
}

# How a stage's period is counted (the conventions of the regimes data file).
ELAPSED_HOURS = "elapsed_hours"
CALENDAR_DAYS = "calendar_days"
BUSINESS_DAYS = "business_days"
CALENDAR_MONTHS = "calendar_months"
NO_FIXED_PERIOD = "no_fixed_period"
COUNTING_METHODS: dict[str, str] = {
    ELAPSED_HOURS: "Elapsed hours",
    CALENDAR_DAYS: "Calendar days",
    BUSINESS_DAYS: "Business days",
    CALENDAR_MONTHS: "Calendar months",
    NO_FIXED_PERIOD: "No fixed period",
}
# A clock that runs from the actual submission of another stage of the same regime names its
# anchor "submission:<stage key>".
SUBMISSION_ANCHOR_PREFIX = "submission:"


@dataclass(frozen=True)
class Entity:
    """A legal entity of the organisation (or the planner's hypothetical one)."""

    name: str
    jurisdictions: frozenset[str] = frozenset()  # FR, GB, US-CA, ...
    statuses: frozenset[str] = frozenset()  # bcp_portal.catalogue.regulatory.ENTITY_STATUSES
    holiday_calendars: tuple[str, ...] = ()  # holidays package codes: FR, DE-BY, US, GB-ENG
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Case:
    """Everything the engine knows about one incident (real or hypothetical)."""

    reference: str
    time_zone: str  # the organisation's zone: local rendering where no entity's zone applies
    entities: tuple[Entity, ...]
    incident_type: str = ""  # IncidentType.key
    severity: str = ""  # P0..P3, P0 the most severe
    involves_personal_data: bool = False
    involves_payment_data: bool = False
    affected_users: int | None = None
    outage_started_at: dt.datetime | None = None
    outage_minutes: int | None = None  # None while the outage has not ended and no duration
    # The outage is still running: `outage_minutes` is its length so far (a real incident not
    # restored yet); the condition then reads "still running, (not yet) more than N minutes".
    outage_ongoing: bool = False
    # Dated facts by kind (DATED_FACTS); DETECTION is always there for a real incident.
    dated: Mapping[str, dt.datetime] = field(default_factory=dict)
    gdpr_risk: str | None = None  # GDPR_RISK_LEVELS; None: not assessed yet
    # Persons affected by region: a country (FR) or a US state (US-CA).
    persons_affected: Mapping[str, int] = field(default_factory=dict)
    # Actual submissions: "<regime key>/<stage key>" -> when the FIRST one was made (the one
    # that met the stage: DORA's intermediate report runs from it, a resubmission moves nothing).
    submissions: Mapping[str, dt.datetime] = field(default_factory=dict)
    # The same key -> when the LATEST one was made, read only for the stages a clock names in
    # `anchor_latest_of` (DORA's final report: the latest updated intermediate report). A key
    # missing here is read from `submissions` (empty: every stage was submitted once).
    latest_submissions: Mapping[str, dt.datetime] = field(default_factory=dict)
    # Restrict to these regime keys (the planner's choice); None means all that apply.
    regimes: frozenset[str] | None = None


@dataclass(frozen=True)
class Alternative:
    """The other reading of a deadline where the conventions give one."""

    due_at: dt.datetime | None
    basis: str  # e.g. "Reg. 1182/71 Art. 3(2)(c): end of the last hour of the day"


@dataclass(frozen=True)
class Result:
    """One stage of one regime for one case: due or not, and when."""

    regime: str
    regime_name: str
    stage: str
    stage_name: str
    notify: str
    required: bool
    reason: str  # why it is required, or why not ("below threshold: ...")
    entity: str  # the entity whose status or jurisdiction brings it in ("" if none)
    counting: str  # COUNTING_METHODS
    period: int | None  # hours, days or months; None for no fixed period
    anchor: str  # a DATED_FACTS kind, or "submission:<stage>"
    anchor_at: dt.datetime | None  # None while the anchor has not happened
    provisional: bool  # the anchor fact is missing and detection stands in for it
    due_at: dt.datetime | None  # the UTC instant the countdown uses; None: not computable
    due_date: dt.date | None  # day-counted stages: the local due date
    local_zone: str  # where due_date and the cut-off are read
    alternative: Alternative | None
    relief: str  # what a relief rule changed (e.g. DORA weekend relief), "" if none
    rule: str  # the deadline as the law or rule states it
    basis: str  # how due_at was computed, in words
    verified: bool  # False: the reference marks the stage (or regime) unverified
    waiting_for: str = ""  # what must happen before the clock can start, in words

    @property
    def key(self) -> str:
        return f"{self.regime}/{self.stage}"
