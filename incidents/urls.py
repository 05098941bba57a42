"""Incident pages. On-call, the communication matrix and acknowledgement links come from
`oncall_urls.py` (the incident pages add theirs here)."""

from incidents import oncall_urls

app_name = "incidents"

urlpatterns = [
    *oncall_urls.urlpatterns,
]
