"""Charts as SVG, drawn with matplotlib: one image, shown on the page and in the PDF.

Charts are returned as `data:` URLs so the same string goes into an <img> on the page and
in a print template (the PDF fetcher accepts `data:` URLs and nothing remote). Text stays
text (SVG <text>, `svg.fonttype = "none"`): a PDF reader can select and search the values,
and matplotlib escapes whatever the data holds, so no markup from the data gets through.

No text is interpreted: matplotlib would read `$...$` in a label (a drill type named
"Failover $\\frac{1}{$") as mathematics and fail on it, so math parsing is off for every
text (`text.parse_math`), and TeX is never used.

A chart is a pure function of the rows it draws (the SVG carries no date and a fixed hash
salt), and drawing one costs about 100 ms of matplotlib: each chart function keeps its last
CHART_CACHE_SIZE drawings keyed on its rows and options, so a page that shows the same
figures again (the dashboard on every visit) reuses the drawing, and new figures draw anew.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

# Figures are built without pyplot (whose global state is not thread-safe in a web
# process). Text as <text> elements, not paths, so the values can be selected in the PDF.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "bcp-portal"
matplotlib.rcParams["font.family"] = "DejaVu Sans"
# Labels are people's text (drill type names, owners): drawn as typed, never parsed.
matplotlib.rcParams["text.parse_math"] = False
matplotlib.rcParams["text.usetex"] = False

PASS_COLOUR = "#1b7f3b"
WARN_COLOUR = "#c77c02"
FAIL_COLOUR = "#b02a37"
PLANNED_COLOUR = "#8da9c4"
UPCOMING_COLOUR = "#dde6ef"
DONE_COLOUR = "#1d3557"

# Pass-rate bands, lowest first: (rate below which the band applies, colour, legend text).
# A type that passes less than half its drills is failing; under four in five needs a look.
RATE_BANDS: tuple[tuple[float, str, str], ...] = (
    (50, FAIL_COLOUR, "below 50 %"),
    (80, WARN_COLOUR, "50 to 79 %"),
    (float("inf"), PASS_COLOUR, "80 % or more"),
)


def rate_colour(rate: float) -> str:
    """The colour of a pass rate (in %), from RATE_BANDS."""
    return next(colour for below, colour, _ in RATE_BANDS if rate < below)


CHART_CACHE_SIZE = 32
_KEPT: list[Callable[[], None]] = []  # each chart function's cache_clear


def _kept(draw: Callable[..., str]) -> Callable[..., str]:
    """`draw`, keeping its last CHART_CACHE_SIZE drawings keyed on the rows and options."""

    @functools.lru_cache(maxsize=CHART_CACHE_SIZE)
    def drawing(rows: tuple[tuple[Any, ...], ...], options: tuple[tuple[str, Any], ...]) -> str:
        return draw(rows, **dict(options))

    @functools.wraps(draw)
    def chart(rows: Sequence[Sequence[Any]], **options: Any) -> str:
        return drawing(tuple(tuple(row) for row in rows), tuple(sorted(options.items())))

    _KEPT.append(drawing.cache_clear)
    return chart


def forget_drawings() -> None:
    """Drop every kept drawing (tests that replace the drawing step call this)."""
    for clear in _KEPT:
        clear()


def _to_data_url(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@_kept
def pass_rate_chart(rows: Sequence[tuple[str, int, int]]) -> str:
    """Horizontal bars: per drill type, the share of submitted reports that passed.

    rows: (label, passed, total). Each bar is coloured by its rate (RATE_BANDS, named in
    the legend) and labelled with the figures as text.
    """
    figure = Figure(figsize=(7, 1.1 + 0.45 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = [label for label, _, _ in rows]
    rates = [100 * passed / total if total else 0 for _, passed, total in rows]
    axes.barh(labels, rates, color=[rate_colour(rate) for rate in rates])
    for index, (_, passed, total) in enumerate(rows):
        label = f"{passed}/{total} passed ({rates[index]:.0f} %)" if total else "no reports"
        if rates[index] >= 60:  # inside the bar, so it never runs off the axis
            colour = "white" if rate_colour(rates[index]) != WARN_COLOUR else "black"
            axes.text(
                rates[index] - 1, index, label, va="center", ha="right", fontsize=9, color=colour
            )
        else:
            axes.text(rates[index] + 1, index, label, va="center", fontsize=9)
    axes.set_xlim(0, 100)
    axes.set_xlabel("Pass rate, last 12 months (%)")
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(
        handles=[Patch(color=colour, label=text) for _, colour, text in RATE_BANDS],
        title="Pass rate",
        frameon=False,
        ncols=len(RATE_BANDS),
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        fontsize=8,
        title_fontsize=8,
    )
    return _to_data_url(figure)


@_kept
def planned_done_chart(rows: Sequence[tuple[str, int, int, int]]) -> str:
    """Bars per period: drills planned whose time has come (with the upcoming ones stacked
    on top, paler and hatched) next to the drills done. rows: (label, due, done, upcoming)."""
    figure = Figure(figsize=(7, 2.8))
    axes = figure.subplots()
    positions = range(len(rows))
    left = [p - 0.2 for p in positions]
    due = [r[1] for r in rows]
    axes.bar(left, due, width=0.4, color=PLANNED_COLOUR, label="Planned, date passed")
    axes.bar(
        left,
        [r[3] for r in rows],
        bottom=due,
        width=0.4,
        color=UPCOMING_COLOUR,
        edgecolor=PLANNED_COLOUR,
        hatch="//",
        label="Planned, still ahead",
    )
    axes.bar(
        [p + 0.2 for p in positions],
        [r[2] for r in rows],
        width=0.4,
        color=DONE_COLOUR,
        label="Done",
    )
    axes.set_xticks(list(positions), [r[0] for r in rows])
    axes.set_ylabel("Drills")
    axes.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)


@_kept
def counts_by_label_chart(rows: Sequence[tuple[str, int]], *, xlabel: str) -> str:
    """Horizontal bars of one count per label (e.g. overdue actions per owner), value as text."""
    figure = Figure(figsize=(5, 0.6 + 0.35 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = [label for label, _ in rows]
    counts = [count for _, count in rows]
    axes.barh(labels, counts, color=FAIL_COLOUR)
    for index, count in enumerate(counts):
        axes.text(count, index, f" {count}", va="center", fontsize=9)
    axes.set_xlim(0, max(counts, default=0) * 1.15 + 1)
    axes.set_xlabel(xlabel)
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)


# --- DR metrics (incidents.metrics): the page and its monthly PDF draw the same images ------

SEVERITY_COLOURS = ("#7a1020", "#b02a37", "#c77c02", "#8da9c4")  # P0 to P3


@_kept
def incidents_by_severity_chart(
    rows: Sequence[tuple[Any, ...]], *, severities: tuple[str, ...]
) -> str:
    """Stacked bars per month: incidents of each severity. rows: (label, n0, n1, ...), one
    count per entry of `severities`, in that order."""
    figure = Figure(figsize=(7, 2.8))
    axes = figure.subplots()
    positions = list(range(len(rows)))
    bottom = [0] * len(rows)
    for index, severity in enumerate(severities):
        counts = [row[1 + index] for row in rows]
        axes.bar(
            positions,
            counts,
            bottom=bottom,
            width=0.6,
            color=SEVERITY_COLOURS[index % len(SEVERITY_COLOURS)],
            label=severity,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for position, total in zip(positions, bottom, strict=True):
        if total:
            axes.text(position, total, f"{total}", ha="center", va="bottom", fontsize=8)
    axes.set_xticks(positions, [row[0] for row in rows], rotation=45 if len(rows) > 6 else 0)
    axes.set_ylabel("Incidents")
    axes.set_ylim(0, max(bottom, default=0) * 1.15 + 1)
    axes.legend(frameon=False, ncols=len(severities), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)


@_kept
def attainment_chart(rows: Sequence[tuple[str, float | None, float | None]]) -> str:
    """Bars per month: the share of restored incidents within the RTO target and within the
    maximum tolerable. rows: (label, % within target, % within max); None (nothing restored
    that month) draws no bar and says so."""
    figure = Figure(figsize=(7, 2.8))
    axes = figure.subplots()
    positions = list(range(len(rows)))
    target = [row[1] if row[1] is not None else 0 for row in rows]
    maximum = [row[2] if row[2] is not None else 0 for row in rows]
    axes.bar(
        [p - 0.2 for p in positions], target, width=0.4, color=PASS_COLOUR, label="Within target"
    )
    axes.bar(
        [p + 0.2 for p in positions],
        maximum,
        width=0.4,
        color=DONE_COLOUR,
        label="Within maximum tolerable",
    )
    for position, row in zip(positions, rows, strict=True):
        if row[1] is None:
            axes.text(
                position, 2, "none restored", ha="center", va="bottom", fontsize=7, rotation=90
            )
    axes.set_xticks(positions, [row[0] for row in rows], rotation=45 if len(rows) > 6 else 0)
    axes.set_ylim(0, 105)
    axes.set_ylabel("Restored incidents (%)")
    axes.legend(frameon=False, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)


@_kept
def availability_chart(rows: Sequence[tuple[str, float]], *, target: float, minimum: float) -> str:
    """Horizontal bars: each service's availability (%), with the target and the minimum as
    vertical lines; a bar is green at or above the target, amber above the minimum, red
    below it. rows: (service name, percent), worst first."""
    figure = Figure(figsize=(7, 1.2 + 0.35 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = [row[0] for row in rows]
    values = [row[1] for row in rows]
    colours = [
        PASS_COLOUR if v >= target else WARN_COLOUR if v >= minimum else FAIL_COLOUR for v in values
    ]
    low = min([*values, minimum]) - 0.2
    low = max(0.0, min(low, minimum - 0.2))
    axes.barh(labels, [v - low for v in values], left=low, color=colours)
    for index, value in enumerate(values):
        axes.text(value, index, f" {value:.3f} %", va="center", fontsize=8)
    axes.axvline(
        target, color=PASS_COLOUR, linestyle="--", linewidth=1, label=f"Target {target:g} %"
    )
    axes.axvline(
        minimum, color=FAIL_COLOUR, linestyle=":", linewidth=1, label=f"Minimum {minimum:g} %"
    )
    axes.set_xlim(low, 100.0 + (100.0 - low) * 0.15)
    axes.set_xlabel("Availability (%)")
    axes.invert_yaxis()
    axes.legend(frameon=False, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)
