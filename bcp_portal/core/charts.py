"""Charts as SVG, drawn with matplotlib: one image, shown on the page and in the PDF.

Charts are returned as `data:` URLs so the same string goes into an <img> on the page and
in a print template (the PDF fetcher accepts `data:` URLs and nothing remote). Text is drawn
as paths, so the SVG needs no fonts and carries no markup from the data.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure

# Figures are built without pyplot (whose global state is not thread-safe in a web
# process); text as paths keeps the SVG self-contained.
matplotlib.rcParams["svg.fonttype"] = "path"
matplotlib.rcParams["svg.hashsalt"] = "bcp-portal"

PASS_COLOUR = "#1b7f3b"
FAIL_COLOUR = "#b02a37"
PLANNED_COLOUR = "#8da9c4"
DONE_COLOUR = "#1d3557"


def _to_data_url(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def pass_rate_chart(rows: Sequence[tuple[str, int, int]]) -> str:
    """Horizontal bars: per drill type, the share of submitted reports that passed.

    rows: (label, passed, total).
    """
    figure = Figure(figsize=(7, 0.5 + 0.45 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = [label for label, _, _ in rows]
    rates = [100 * passed / total if total else 0 for _, passed, total in rows]
    colours = [PASS_COLOUR if rate >= 80 else FAIL_COLOUR for rate in rates]
    axes.barh(labels, rates, color=colours)
    for index, (_, passed, total) in enumerate(rows):
        label = f"{passed}/{total} passed" if total else "no reports"
        if rates[index] >= 50:  # inside the bar, in white, so it never runs off the axis
            axes.text(
                rates[index] - 1, index, label, va="center", ha="right", fontsize=9, color="white"
            )
        else:
            axes.text(rates[index] + 1, index, label, va="center", fontsize=9)
    axes.set_xlim(0, 100)
    axes.set_xlabel("Pass rate, last 12 months (%)")
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)


def planned_done_chart(rows: Sequence[tuple[str, int, int]]) -> str:
    """Grouped bars per period: drills planned and drills done. rows: (label, planned, done)."""
    figure = Figure(figsize=(7, 2.8))
    axes = figure.subplots()
    positions = range(len(rows))
    axes.bar(
        [p - 0.2 for p in positions],
        [r[1] for r in rows],
        width=0.4,
        color=PLANNED_COLOUR,
        label="Planned",
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
    axes.legend(frameon=False, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _to_data_url(figure)
