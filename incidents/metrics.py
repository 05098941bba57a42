"""DR metrics over incidents: the runbook's monthly view, RTO/RPO attainment, availability.

Plain reads (selectors), computed by the database: each figure is an aggregate or a window
over the incidents, never a Python loop over them; what Python does is divide the sums the
database returns and lay them out per month. The monthly view's sums are kept per month,
severity and service in a summary (`IncidentMetricMonth`, derived data kept by the incident
services through `incidents.metric_summary`), so the pages read a few dozen rows;
`monthly_figures_live` computes the same sums from the incidents. Availability reads each
service's merged outages (`ServiceOutageIsland`, kept the same way): two islands per
service answer any window; `downtime_by_service_live` is the same from the incidents.
PostgreSQL is the target; SQLite (`make run`) gives the same figures (the statements that
differ, the interval arithmetic of the availability, have a form per vendor; tests run
both).

The rules, each in one place here:

- **Months** are the organisation's (`catalogue.selectors.organisation_zone`): an incident
  belongs to the month of its detection in that zone, as the runbook's `monthly_dr_metrics`
  view groups by `detected_at`. 2026-03-31 23:30 UTC is an April incident in Europe/Paris.
- **Actual RTO** is restored minus onset, or minus detection when the onset is unknown
  (`Incident.rto_actual`). An incident not restored has no actual RTO: it is left out of the
  RTO averages and of RTO attainment, and counted apart as "not restored" (never restored).
- **Time to detect** is detection minus onset, over incidents whose onset is known; **time to
  recover** is restored minus detection (the runbook's mean time to recovery, counted from
  when the organisation knew), over restored incidents.
- **Actual RPO** is the data-loss window typed on the incident; unknown is left out of the
  RPO average and attainment, never counted as zero.
- **Targets** (`incident_targets`): the strictest (lowest) target among the services the
  incident lists; with no service, the incident type's expected RTO (runbook section 4);
  else the organisation's objective. The maximum tolerable likewise from the services, else
  the organisation's (a type has no maximum). RPO targets come from the services, else the
  organisation (a type has no RPO).
- **Attainment**: the share of restored incidents whose actual RTO is within the target and
  within the maximum tolerable (a bound met exactly is met); for RPO, the share of incidents
  with a known RPO.
- **Availability** per service: an outage runs from onset (else detection) to restored, for
  each service the incident lists, except incidents of a partial-degradation type; one not
  restored runs to the end of the period. An outage counts from its onset, even when the
  incident was detected after the period. Outages are clipped to the period, and overlapping
  outages of one service count once (merged as gaps and islands with window functions). A
  period that has not ended yet ends now: availability so far, not a forecast.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    DurationField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone

from bcp_portal.catalogue.models import OrganisationProfile, Service
from incidents.models import Incident, IncidentService, Severity
from incidents.models_metrics import SUM_FIELDS, IncidentMetricMonth, ServiceOutageIsland

MINUTE = dt.timedelta(minutes=1)


# --- Periods -------------------------------------------------------------------------------


def add_months(first: dt.date, months: int) -> dt.date:
    """The first of the month `months` months after (or before) the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_after(first: dt.date) -> dt.date:
    return add_months(first, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last`, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


@dataclass(frozen=True)
class Period:
    """Whole months in the organisation's zone, `first` to `last` included (firsts of months)."""

    first: dt.date
    last: dt.date
    zone: zoneinfo.ZoneInfo

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = month_after(month)
        return months

    # In UTC: Python subtracts two times of one zone on the wall clock, so a period across a
    # daylight-saving change would be an hour off (March in Paris lasts 743 hours).
    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant after the period."""
        start = dt.datetime.combine(month_after(self.last), dt.time(), tzinfo=self.zone)
        return start.astimezone(dt.UTC)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    def ends_by(self, now: dt.datetime) -> dt.datetime:
        """The end of the period, or now if it has not come yet."""
        return min(self.ends_at, now)


def trailing_months(today: dt.date, zone: zoneinfo.ZoneInfo, months: int = 12) -> Period:
    """The `months` months up to and including the month of `today`."""
    last = today.replace(day=1)
    return Period(add_months(last, 1 - months), last, zone)


def previous_month(today: dt.date, zone: zoneinfo.ZoneInfo) -> Period:
    """The month before the month of `today` (the monthly report's default)."""
    first = add_months(today, -1)
    return Period(first, first, zone)


@dataclass(frozen=True)
class Scope:
    """What the figures cover: a period, and optionally one service and one severity."""

    period: Period
    service_id: int | None = None
    severity: str = ""


# --- Targets: the one rule -----------------------------------------------------------------


def _strictest(column: str) -> Subquery:
    """The lowest `column` among the services the incident lists (NULL when it lists none)."""
    return Subquery(
        IncidentService.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(strictest=Min(f"service__{column}"))
        .values("strictest")
    )


def _targets(
    profile: OrganisationProfile, strictest: Callable[[str], Expression | Subquery]
) -> dict[str, Expression]:
    """The rule (module docstring), given how the strictest service value of a column is read."""
    return {
        "rto_target": Coalesce(
            strictest("rto_target_minutes"),
            F("incident_type__expected_rto_minutes"),
            Value(profile.rto_target_minutes),
        ),
        "rto_max": Coalesce(strictest("rto_max_minutes"), Value(profile.rto_max_minutes)),
        "rpo_target": Coalesce(strictest("rpo_target_minutes"), Value(profile.rpo_target_minutes)),
        "rpo_max": Coalesce(strictest("rpo_max_minutes"), Value(profile.rpo_max_minutes)),
    }


def incident_targets(profile: OrganisationProfile) -> dict[str, Expression]:
    """Annotations giving each incident the targets it is measured against, in minutes:
    `rto_target`, `rto_max`, `rpo_target`, `rpo_max` (the rule is in the module docstring)."""
    return _targets(profile, _strictest)


def _minutes(column: str) -> ExpressionWrapper:
    """An integer column of minutes as a duration (comparable with a time difference)."""
    # Typed as a plain integer: SQLite's backend multiplies a duration by IntegerField only.
    count = ExpressionWrapper(F(column), output_field=IntegerField())
    return ExpressionWrapper(Value(MINUTE) * count, output_field=DurationField())


def _span(later: Any, earlier: Any) -> ExpressionWrapper:
    return ExpressionWrapper(later - earlier, output_field=DurationField())


# --- The monthly view and attainment ---------------------------------------------------------


def _to_minutes(value: dt.timedelta | int | float | None) -> float:
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 60
    return float(value)


def _average(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The sums and counts of a month and severity (or of several added together); the
    averages and shares are read from them, so totals are exact, not averages of averages."""

    incidents: int = 0
    restored: int = 0
    rto_total: float = 0.0  # minutes, over restored incidents
    rto_within_target: int = 0
    rto_within_max: int = 0
    rpo_known: int = 0
    rpo_total: float = 0.0
    rpo_within_target: int = 0
    rpo_within_max: int = 0
    users_known: int = 0
    users_total: int = 0
    detect_known: int = 0
    detect_total: float = 0.0
    recover_total: float = 0.0  # minutes, over restored incidents

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def not_restored(self) -> int:
        return self.incidents - self.restored

    @property
    def rto_average(self) -> float | None:
        return _average(self.rto_total, self.restored)

    @property
    def rpo_average(self) -> float | None:
        return _average(self.rpo_total, self.rpo_known)

    @property
    def users_affected(self) -> int | None:
        """The sum of the users affected where known; None when no incident gave a number."""
        return self.users_total if self.users_known else None

    @property
    def detect_average(self) -> float | None:
        return _average(self.detect_total, self.detect_known)

    @property
    def recover_average(self) -> float | None:
        return _average(self.recover_total, self.restored)

    @property
    def rto_target_share(self) -> float | None:
        return _share(self.rto_within_target, self.restored)

    @property
    def rto_max_share(self) -> float | None:
        return _share(self.rto_within_max, self.restored)

    @property
    def rpo_target_share(self) -> float | None:
        return _share(self.rpo_within_target, self.rpo_known)

    @property
    def rpo_max_share(self) -> float | None:
        return _share(self.rpo_within_max, self.rpo_known)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incidents": self.incidents,
            "restored": self.restored,
            "not_restored": self.not_restored,
            "rto_average_minutes": self.rto_average,
            "rpo_average_minutes": self.rpo_average,
            "rpo_known": self.rpo_known,
            "users_affected": self.users_affected,
            "detect_average_minutes": self.detect_average,
            "recover_average_minutes": self.recover_average,
            "rto_within_target": self.rto_within_target,
            "rto_within_max": self.rto_within_max,
            "rto_target_percent": self.rto_target_share,
            "rto_max_percent": self.rto_max_share,
            "rpo_within_target": self.rpo_within_target,
            "rpo_within_max": self.rpo_within_max,
            "rpo_target_percent": self.rpo_target_share,
            "rpo_max_percent": self.rpo_max_share,
        }


@dataclass
class MonthSeverity:
    month: dt.date
    severity: str
    figures: Figures


@dataclass
class Month:
    """A month's figures, all severities together, and each severity's."""

    month: dt.date
    figures: Figures = field(default_factory=Figures)
    by_severity: dict[str, Figures] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


def scoped_incidents(scope: Scope) -> QuerySet[Incident]:
    """The incidents detected in the period (in the organisation's months), of the service
    and severity the scope names."""
    period = scope.period
    qs = Incident.objects.filter(detected_at__gte=period.starts_at, detected_at__lt=period.ends_at)
    if scope.severity:
        qs = qs.filter(severity=scope.severity)
    if scope.service_id is not None:
        qs = qs.filter(
            Exists(
                IncidentService.objects.filter(incident=OuterRef("pk"), service=scope.service_id)
            )
        )
    return qs


def _service_targets(profile: OrganisationProfile) -> dict[str, Expression]:
    """`incident_targets` as aggregates over the incident's services (one join grouped per
    incident) rather than a subquery per incident and target: the same rule, for a query
    that reads many incidents (a year of 100,000 took seconds with the subqueries)."""
    return _targets(profile, lambda column: Min(f"services__{column}"))


def _met(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def per_incident(
    incidents: QuerySet[Incident], zone: zoneinfo.ZoneInfo, profile: OrganisationProfile
) -> QuerySet[Incident, Any]:
    """One row per incident: its id, month, times and whether it met each target (the
    monthly view's input, for the live query and for the summary's upkeep)."""
    onset = Coalesce("started_at", "detected_at")
    restored = Q(restored_at__isnull=False)
    rpo_known = Q(rpo_actual_minutes__isnull=False)
    return (
        incidents.annotate(
            month=TruncMonth("detected_at", tzinfo=zone),
            onset=onset,
            rto_span=_span(F("restored_at"), onset),
            **_service_targets(profile),
        )
        .annotate(rto_target_span=_minutes("rto_target"), rto_max_span=_minutes("rto_max"))
        .annotate(
            rto_met=_met(restored & Q(rto_span__lte=F("rto_target_span"))),
            rto_max_met=_met(restored & Q(rto_span__lte=F("rto_max_span"))),
            rpo_met=_met(rpo_known & Q(rpo_actual_minutes__lte=F("rpo_target"))),
            rpo_max_met=_met(rpo_known & Q(rpo_actual_minutes__lte=F("rpo_max"))),
        )
        .values(
            "id",
            "month",
            "severity",
            "detected_at",
            "started_at",
            "restored_at",
            "onset",
            "rpo_actual_minutes",
            "affected_users",
            "rto_met",
            "rto_max_met",
            "rpo_met",
            "rpo_max_met",
        )
        .order_by()
    )


def sums_sql() -> list[str]:
    """The monthly view's sums and counts over `per_incident` rows, in the order of
    `Figures`' fields (and of the summary's columns, `models_metrics.SUM_FIELDS`)."""
    rto = _seconds_sql("restored_at", "onset")
    detect = _seconds_sql("detected_at", "started_at")
    recover = _seconds_sql("restored_at", "detected_at")
    restored = "restored_at IS NOT NULL"

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    return [
        "COUNT(*)",
        count(restored),
        f"SUM(CASE WHEN {restored} THEN {rto} END)",
        count("rto_met"),
        count("rto_max_met"),
        "COUNT(rpo_actual_minutes)",
        "SUM(rpo_actual_minutes)",
        count("rpo_met"),
        count("rpo_max_met"),
        "COUNT(affected_users)",
        "SUM(affected_users)",
        "COUNT(started_at)",
        f"SUM({detect})",
        f"SUM(CASE WHEN {restored} THEN {recover} END)",
    ]


def _month(value: Any, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The month column as the raw statement returns it: an aware or local datetime
    (PostgreSQL), or text (SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value, zone) if timezone.is_aware(value) else value).date()
    return value


def monthly_figures_live(scope: Scope, profile: OrganisationProfile) -> list[MonthSeverity]:
    """The runbook's monthly view (section 7.1.2) computed from the incidents: one statement
    (the incidents with their targets, grouped per month and severity). What the summary
    (`monthly_figures`) must always equal; its tests compare the two."""
    inner, params = per_incident(
        scoped_incidents(scope), scope.period.zone, profile
    ).query.sql_with_params()
    sql = f"""
        SELECT month, severity, {", ".join(sums_sql())}
        FROM ({inner}) per_incident
        GROUP BY month, severity
        ORDER BY month, severity
    """  # noqa: S608  (the only interpolations are our own SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    zone = scope.period.zone
    return [
        MonthSeverity(month=_month(month, zone), severity=severity, figures=figures_of(sums))
        for month, severity, *sums in rows
    ]


def figures_of(sums: Iterable[Any]) -> Figures:
    """A `Figures` from the sums in `sums_sql()` order (seconds as the database gives them)."""
    (incidents, restored, rto, rto_in, rto_max_in, rpo_known, rpo_total, rpo_in, rpo_max_in,
     users_known, users_total, detect_known, detect, recover) = sums  # fmt: skip
    return Figures(
        incidents=incidents,
        restored=restored or 0,
        rto_total=_seconds_to_minutes(rto),
        rto_within_target=rto_in or 0,
        rto_within_max=rto_max_in or 0,
        rpo_known=rpo_known,
        rpo_total=_to_minutes(rpo_total),
        rpo_within_target=rpo_in or 0,
        rpo_within_max=rpo_max_in or 0,
        users_known=users_known,
        users_total=users_total or 0,
        detect_known=detect_known,
        detect_total=_seconds_to_minutes(detect),
        recover_total=_seconds_to_minutes(recover),
    )


def monthly_figures(scope: Scope, profile: OrganisationProfile) -> list[MonthSeverity]:
    """The runbook's monthly view (section 7.1.2), per month and severity, with attainment,
    read from the monthly summary (`IncidentMetricMonth`, kept by the incident services in
    the incident's own transaction): one indexed read of at most months x severities rows,
    whatever the number of incidents. A period is whole organisation months (`Period`), so
    the summary answers every scope exactly; `monthly_figures_live` is the same figures from
    the incidents. Months and severities without incidents are absent. (`profile` is the
    live query's; the summary's targets are the ones kept with it.)"""
    period = scope.period
    rows = IncidentMetricMonth.objects.filter(
        service=scope.service_id or IncidentMetricMonth.EVERY_SERVICE,
        month__gte=period.first,
        month__lte=period.last,
    )
    if scope.severity:
        rows = rows.filter(severity=scope.severity)
    return [
        MonthSeverity(month=month, severity=severity, figures=figures_of(sums))
        for month, severity, *sums in rows.order_by("month", "severity").values_list(
            "month", "severity", *SUM_FIELDS
        )
    ]


def _seconds_to_minutes(value: Any) -> float:
    return 0.0 if value is None else float(value) / 60


def months_of(period: Period, rows: Iterable[MonthSeverity]) -> list[Month]:
    """Every month of the period (empty ones too), each with its severities' figures."""
    months = {month: Month(month) for month in period.months}
    for row in rows:
        month = months.get(row.month)
        if month is None:  # not in the period (cannot happen: the query filters on it)
            continue
        month.by_severity[row.severity] = row.figures
        month.figures.add(row.figures)
    return list(months.values())


# --- Availability ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    service_id: int
    name: str
    downtime_minutes: float
    outages: int  # merged outages (overlapping ones count once)
    percent: float | None
    target: Decimal
    minimum: Decimal

    @property
    def verdict(self) -> str:
        """The verdict against the organisation's objectives: "met" (at or above the
        target), "below target" (at or above the minimum), "below minimum"; "" when the
        period has no length yet."""
        if self.percent is None:
            return ""
        if Decimal(str(self.percent)) >= self.target:
            return "met"
        if Decimal(str(self.percent)) >= self.minimum:
            return "below target"
        return "below minimum"


def _outage_intervals(scope: Scope, starts: dt.datetime, ends: dt.datetime) -> QuerySet[Any]:
    """One row per (service, outage) overlapping the period, clipped to it: `service_id`,
    `s`, `e`. Partial degradations are not outages."""
    onset = Coalesce("incident__started_at", "incident__detected_at")
    stop = Coalesce("incident__restored_at", Value(ends))
    qs = IncidentService.objects.filter(incident__incident_type__is_partial_degradation=False)
    if scope.severity:
        qs = qs.filter(incident__severity=scope.severity)
    if scope.service_id is not None:
        qs = qs.filter(service_id=scope.service_id)
    # Overlapping the period: began before its end, and not restored before its start (an
    # outage counts from its onset, even when detected after the period). The restoration
    # bound (the same as `stop > starts`) lets the database start from its index.
    restored_after = Q(incident__restored_at__gt=starts) | Q(incident__restored_at__isnull=True)
    return (
        qs.annotate(onset=onset, stop=stop)
        .filter(restored_after, onset__lt=ends, stop__gt=starts)
        .annotate(s=Greatest("onset", Value(starts)), e=Least("stop", Value(ends)))
        .values("service_id", "s", "e")
        .order_by()
    )


def _seconds_sql(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    # SQLite keeps datetimes as text; julianday() reads them (in days).
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def downtime_by_service_live(scope: Scope, now: dt.datetime) -> dict[int, tuple[float, int]]:
    """{service id: (downtime in minutes, merged outages)} over the period (to now at most),
    from the incidents (what `availability` reads from the islands must always equal).

    Gaps and islands: ordered by start within a service, an interval starts a new island
    when it starts after every earlier interval has ended (the running maximum of their
    ends); the islands' numbers are the running count of such starts; each island lasts
    from its first start to its last end. One statement."""
    starts, ends = scope.period.starts_at, scope.period.ends_by(now)
    if ends <= starts:
        return {}
    inner, params = _outage_intervals(scope, starts, ends).query.sql_with_params()
    duration = _seconds_sql("e", "s")
    sql = f"""
        WITH intervals AS ({inner}),
        marked AS (
            SELECT service_id, s, e,
                CASE WHEN s <= MAX(e) OVER (
                    PARTITION BY service_id ORDER BY s, e
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) THEN 0 ELSE 1 END AS starts_island
            FROM intervals
        ),
        numbered AS (
            SELECT service_id, s, e,
                SUM(starts_island) OVER (
                    PARTITION BY service_id ORDER BY s, e ROWS UNBOUNDED PRECEDING
                ) AS island
            FROM marked
        ),
        islands AS (
            SELECT service_id, MIN(s) AS s, MAX(e) AS e FROM numbered GROUP BY service_id, island
        )
        SELECT service_id, SUM({duration}), COUNT(*) FROM islands GROUP BY service_id
    """  # noqa: S608  (the only interpolations are our own SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            service_id: (round(float(seconds) / 60, 1), outages)
            for service_id, seconds, outages in cursor.fetchall()
        }


def _seconds_of(span: dt.timedelta) -> Decimal:
    return Decimal(span.days * 86_400 + span.seconds) + Decimal(span.microseconds) / 1_000_000


class Island(NamedTuple):
    """What availability reads of a `ServiceOutageIsland`."""

    starts_at: dt.datetime
    ends_at: dt.datetime | None
    before_seconds: Decimal
    before_count: int


def _island_downtime(
    first: Island | None,
    last: Island | None,
    starts: dt.datetime,
    ends: dt.datetime,
) -> tuple[float, int]:
    """(minutes, islands) of a service's outages within [starts, ends), from the island
    holding `starts` or the last before it (`first`) and the last island beginning before
    `ends` (`last`): the length of the islands up to a moment is the earlier islands' total
    kept on the island, plus its own part before that moment."""
    if last is None:
        return 0.0, 0
    seconds = last.before_seconds + _seconds_of(min(last.ends_at or ends, ends) - last.starts_at)
    count = last.before_count + 1
    if first is not None:
        seconds -= first.before_seconds + _seconds_of(
            min(first.ends_at or starts, starts) - first.starts_at
        )
        count -= first.before_count + (
            1 if first.ends_at is not None and first.ends_at <= starts else 0
        )
    return round(float(seconds) / 60, 1), count


def _downtime_rows(scope: Scope, now: dt.datetime) -> list[tuple[int, str, bool, float, int]]:
    """(service id, name, active?, downtime minutes, merged outages) of every service in
    the scope, by name, over the period (to now at most). Two queries: the services with the
    two islands each needs (`ServiceOutageIsland`, kept by the incident services), then
    those islands."""
    starts, ends = scope.period.starts_at, scope.period.ends_by(now)
    islands = ServiceOutageIsland.objects.filter(
        service=OuterRef("pk"), severity=scope.severity or ServiceOutageIsland.EVERY_SEVERITY
    ).order_by("-starts_at")
    services = Service.objects.all()
    if scope.service_id is not None:
        services = services.filter(pk=scope.service_id)
    rows = list(
        services.annotate(
            first=Subquery(islands.filter(starts_at__lte=starts).values("pk")[:1]),
            last=Subquery(islands.filter(starts_at__lt=ends).values("pk")[:1]),
        )
        .order_by("name")
        .values_list("pk", "name", "is_active", "first", "last")
    )
    wanted = {pk for *_, first, last in rows for pk in (first, last) if pk is not None}
    found = (
        {
            pk: Island(starts_at, ends_at, before_seconds, before_count)
            for pk, starts_at, ends_at, before_seconds, before_count in (
                ServiceOutageIsland.objects.filter(pk__in=wanted).values_list(
                    "pk", "starts_at", "ends_at", "before_seconds", "before_count"
                )
            )
        }
        if wanted and ends > starts
        else {}
    )
    result = []
    for service_id, name, is_active, first, last in rows:
        down, outages = (
            _island_downtime(found.get(first), found.get(last), starts, ends)
            if ends > starts
            else (0.0, 0)
        )
        result.append((service_id, name, is_active, down, outages))
    return result


def downtime_by_service(scope: Scope, now: dt.datetime) -> dict[int, tuple[float, int]]:
    """{service id: (downtime in minutes, merged outages)} over the period (to now at most),
    for the services that were down; from the islands (`downtime_by_service_live` is the
    same from the incidents)."""
    return {
        service_id: (down, outages)
        for service_id, _, _, down, outages in _downtime_rows(scope, now)
        if outages
    }


def availability(
    scope: Scope, profile: OrganisationProfile, now: dt.datetime
) -> list[Availability]:
    """Each active service's availability over the period (the filtered one alone, when the
    scope names one; a retired service only if it was down), worst first."""
    seconds = (scope.period.ends_by(now) - scope.period.starts_at).total_seconds()
    result = []
    for service_id, name, is_active, down, outages in _downtime_rows(scope, now):
        if not is_active and not outages and scope.service_id is None:
            continue
        percent = round(100 * (1 - down * 60 / seconds), 3) if seconds > 0 else None
        result.append(
            Availability(
                service_id=service_id,
                name=name,
                downtime_minutes=down,
                outages=outages,
                percent=percent,
                target=profile.availability_target,
                minimum=profile.availability_min,
            )
        )
    result.sort(key=lambda a: (a.percent if a.percent is not None else 101.0, a.name))
    return result


# --- Everything a page, the API and the PDF show -------------------------------------------


@dataclass
class DrMetrics:
    scope: Scope
    months: list[Month]
    rows: list[MonthSeverity]
    total: Figures
    availability: list[Availability]
    profile: OrganisationProfile
    as_of: dt.datetime

    @property
    def severities(self) -> list[str]:
        return [s.value for s in Severity]

    @property
    def is_empty(self) -> bool:
        return self.total.incidents == 0 and not any(a.downtime_minutes for a in self.availability)


def dr_metrics(
    *, scope: Scope, profile: OrganisationProfile, now: dt.datetime | None = None
) -> DrMetrics:
    """The figures of the metrics page, its API and its PDF: three queries whatever the
    number of incidents (the monthly summary, the services with their islands, the
    islands)."""
    now = now or timezone.now()
    rows = monthly_figures(scope, profile)
    months = months_of(scope.period, rows)
    total = Figures()
    for month in months:
        total.add(month.figures)
    return DrMetrics(
        scope=scope,
        months=months,
        rows=rows,
        total=total,
        availability=availability(scope, profile, now),
        profile=profile,
        as_of=now,
    )
