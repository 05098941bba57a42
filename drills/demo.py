"""Demo drill calendar: the reference types and schedules, a year of past drills and the
coming quarter (created once, never reset). Reports on past drills come from another step."""

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_today
from drills.models import Drill
from drills.services.planning import drill_calendar_generate
from drills.services.reference import drill_reference_load

DEMO_PARTICIPANTS = ("sre", "srelead")


def load_drill_calendar(out) -> None:
    created = drill_reference_load()
    if created["types"] or created["schedules"]:
        out.write(f"Drills: added {created['types']} types and {created['schedules']} schedules")
    today = organisation_today()
    added = drill_calendar_generate(months=3, today=today, since=today - relativedelta(months=12))
    if added:
        out.write(f"Drills: planned {added} drills from a year ago to three months ahead")
    people = list(get_user_model().objects.filter(username__in=DEMO_PARTICIPANTS))
    if not people:
        return
    past = Drill.objects.filter(starts_at__lt=timezone.now(), participants__isnull=True)
    for drill in past:
        # Not an edit by a person (the drill stays "generated"): who took part in the past.
        drill.participants.add(*people)
