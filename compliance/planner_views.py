"""The what-if planner page: hypothetical facts in, the obligations they would start out.

For the DPO and Legal Counsel (others 403). Nothing is stored: the form is read on GET (a
link to a plan can be kept) or POST, turned into the documented JSON shape, and evaluated by
`compliance.planner.deadlines_evaluate`, as `manage.py deadlines` and the API do, so the
table shows what they print. A field the parser refuses is a form error (400) on that
field, with everything typed kept.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.roles import role_required
from compliance.deadlines.io import CaseInputError
from compliance.models_notifications import NotificationRegime
from compliance.planner import PLANNER_ROLES, deadlines_evaluate
from compliance.planner_forms import PlannerForm
from compliance.regime_loader import file_regimes
from incidents.models import IncidentType


def _regime_choices() -> list[tuple[str, str]]:
    """The regimes the planner offers: those of the file not switched off in the admin."""
    disabled = set(NotificationRegime.objects.filter(enabled=False).values_list("key", flat=True))
    return [(key, regime["name"]) for key, regime in file_regimes().items() if key not in disabled]


@login_required
@role_required(*PLANNER_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def planner(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    bound = request.method == "POST" or bool(request.GET)
    form = PlannerForm(
        source if bound else None,
        regime_choices=_regime_choices(),
        type_choices=list(IncidentType.objects.order_by("name").values_list("key", "name")),
        initial={"time_zone": organisation_profile().time_zone},
    )
    obligations = None
    facts_json = ""
    if bound and form.is_valid():
        data = form.to_json()
        try:
            # Evaluated even when a line was malformed, so every field's error shows at once.
            answer = deadlines_evaluate(data)
        except CaseInputError as exc:
            form.apply_case_errors(exc.errors)
        if not form.errors:
            obligations = answer
            facts_json = json.dumps(data, indent=2)
    return render(
        request,
        "compliance/planner.html",
        {
            "form": form,
            "obligations": obligations,
            "required_count": sum(1 for o in obligations or [] if o["required"]),
            "facts_json": facts_json,
        },
        status=400 if form.errors else 200,
    )
