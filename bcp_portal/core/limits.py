"""Every size limit of the portal, in one place (docs/security.md lists them).

Plain constants, no Django imports: the settings read the request limits from here too.
Each limit is enforced where the input arrives (the request guard, the API's parsers,
forms, serializers) and again in the service that writes, and each is stated to the user:
in the form's help text, in the API schema, in the error that refuses it.
"""

from __future__ import annotations

# --- Requests ---------------------------------------------------------------------------
# The body of any request (a form post, a JSON document): larger answers 413. A drill report
# at its row limits below, with a paragraph in every row, is well under it.
REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024 + 512 * 1024  # 2.5 MiB, Django's default
# Query parameters, or fields of a form post: a full drill report form (every row limit
# below reached, each row with all its fields) has about 2,300.
REQUEST_FIELDS_MAX = 3000
# How deeply a JSON body may nest objects and arrays. The deepest document the API reads is
# a drill report: report > steps > step > value, four levels.
JSON_MAX_DEPTH = 32

# --- List filters and pages -----------------------------------------------------------
# Years a month, a quarter or a date filter may name (the calendar and PostgreSQL hold more;
# nothing in a drill programme lies outside these).
MIN_YEAR, MAX_YEAR = 1900, 2999
SEARCH_MAX_LENGTH = 200
# The DR metrics' period (page and API): three years of months in one table and chart.
METRICS_MAX_MONTHS = 36
API_PAGE_SIZE = 50
API_PAGE_SIZE_MAX = 200

# --- Rows per drill report section --------------------------------------------------------
REPORT_STEPS_MAX = 100
REPORT_ISSUES_MAX = 100
REPORT_ACTIONS_MAX = 100
REPORT_PARTICIPANTS_MAX = 200
REPORT_SERVICES_MAX = 100
DRILL_PARTICIPANTS_MAX = 200

# --- PDFs rendered inside the request --------------------------------------------------
# A drill report with more rows than this (steps, issues and actions together), or more
# characters of text, is rendered by a worker (bcp_portal.core.exports) and downloaded from
# its progress page: rendering it in the request would hold a web worker for too long.
REPORT_PDF_DIRECT_MAX_ROWS = 60
REPORT_PDF_DIRECT_MAX_CHARS = 60_000
# The service catalogue: about seven pages.
CATALOGUE_PDF_DIRECT_MAX_ROWS = 150
# A runbook version's Markdown: about five times the seed runbook.
RUNBOOK_PDF_DIRECT_MAX_CHARS = 250_000

# --- Runbooks ------------------------------------------------------------------------------
# A Markdown file imported through the page, the API or the command.
RUNBOOK_MAX_BYTES = 2 * 1024 * 1024
# A version's Markdown, however it is edited: every file within the byte limit fits.
RUNBOOK_MAX_CHARS = RUNBOOK_MAX_BYTES

# --- Incidents -----------------------------------------------------------------------------
INCIDENT_SERVICES_MAX = 100
INCIDENT_RESPONDERS_MAX = 100
INCIDENT_DESCRIPTION_MAX_CHARS = 20_000
# A timeline entry's "action taken", and the reason of a severity change or a re-open.
INCIDENT_NOTE_MAX_CHARS = 5_000


# --- Alert intake (incidents; docs/alert-intake.md) ---------------------------------------
# What one monitor's request may carry. Alertmanager sends a group's alerts in one request:
# set `max_alerts` in its webhook config at or below INTAKE_ALERTS_MAX (the docs' example
# does), as it does not retry a 4xx. A larger body answers 413, the rest 400 naming the
# field.
INTAKE_BODY_MAX_BYTES = 1024 * 1024
INTAKE_ALERTS_MAX = 100
INTAKE_LABELS_MAX = 64  # labels of one alert (also groupLabels and commonLabels)
INTAKE_LABEL_NAME_MAX = 128
INTAKE_LABEL_VALUE_MAX = 1024
INTAKE_ANNOTATIONS_MAX = 32
INTAKE_ANNOTATION_VALUE_MAX = 8000
INTAKE_GROUP_KEY_MAX = 4000
INTAKE_FINGERPRINT_MAX = 128
INTAKE_URL_MAX = 2000
INTAKE_TEXT_MAX = 500  # a generic event's title; a receiver's name
# How far ahead of the portal's clock an alert's start may be (clock skew between hosts);
# further is refused as a bad time.
INTAKE_CLOCK_SKEW_SECONDS = 300
# Rows of one source's mapping table.
INTAKE_MAPPING_ROWS_MAX = 100


# --- Regulatory notifications (compliance: facts, submissions) ----------------------------
# A file attached to a submission (the notification as sent, the authority's receipt). The
# request body limit above leaves room for it and the form's other fields.
SUBMISSION_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
# What it may be, by the name's extension (the stored type comes from here, never from the
# client's claim).
SUBMISSION_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
    ".eml": "message/rfc822",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# How far ahead of the portal's clock a dated fact or a submission time may be (clock skew,
# a time typed a minute ahead); further is refused as in the future.
NOTIFICATION_CLOCK_SKEW_SECONDS = 300


def report_section_limits() -> dict[str, int]:
    """The row limit of each section of a drill report, by its name in forms and the API."""
    return {
        "steps": REPORT_STEPS_MAX,
        "issues": REPORT_ISSUES_MAX,
        "actions": REPORT_ACTIONS_MAX,
        "participants": REPORT_PARTICIPANTS_MAX,
        "services": REPORT_SERVICES_MAX,
    }


# --- Outgoing notifications (bcp_portal.core.channels) ------------------------------------
# A webhook or PagerDuty answer is read up to this many bytes; the rest is never read.
NOTIFY_RESPONSE_MAX_BYTES = 64 * 1024
# Seconds to open a connection to a notification target, and to wait for its answer.
NOTIFY_CONNECT_TIMEOUT = 3.0
NOTIFY_READ_TIMEOUT = 5.0
