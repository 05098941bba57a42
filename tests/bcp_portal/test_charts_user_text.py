"""No user text is interpreted by a chart: a drill type or person named with matplotlib's
mathematics markup (`$...$`) is drawn as typed, and the summary and its PDF still answer."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from bcp_portal.core import charts
from drills.models import Drill, DrillReport
from tests.drills.factories import DrillTypeFactory
from tests.drills.report_factories import DrillReportFactory, ReportDrillFactory

NAMES = [
    r"Failover $\frac{1}{$",
    r"$\sqrt{2}$ recovery",
    "Cost $5 and $6",
    r"Escape \$ and ^_{} braces",
    "<b>tag</b> & ampersand",
]


def svg_of(data_url: str) -> str:
    return base64.b64decode(data_url.split(",", 1)[1]).decode()


@pytest.mark.parametrize("name", NAMES)
def test_every_chart_draws_a_label_with_dollar_signs_as_plain_text(name):
    for url in (
        charts.pass_rate_chart([(name, 1, 2)]),
        charts.planned_done_chart([(name, 1, 1, 0)]),
        charts.counts_by_label_chart([(name, 3)], xlabel=name),
    ):
        svg = svg_of(url)
        # The text element holds the name itself (escaped for XML), not rendered mathematics.
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f">{escaped}</text>" in svg


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES[:2])
def test_the_summary_and_its_pdf_answer_with_a_drill_type_named_like_mathematics(
    client_for, sre, name
):
    drill_type = DrillTypeFactory(name=name)
    drill = ReportDrillFactory(
        drill_type=drill_type,
        starts_at=timezone.now() - timedelta(days=3),
        status=Drill.Status.DONE,
    )
    DrillReportFactory(
        drill=drill,
        status=DrillReport.Status.SUBMITTED,
        overall_result="pass",
        drill_date=timezone.localdate() - timedelta(days=3),
    )
    client = client_for(sre)
    page = client.get("/drills/summary/")
    assert page.status_code == 200
    assert svg_of(page.context["pass_rate_chart"]).count(name.replace("&", "&amp;")) == 1
    assert client.get("/drills/summary.pdf").status_code == 200
