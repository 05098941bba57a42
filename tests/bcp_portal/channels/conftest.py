from tests.bcp_portal.channels.receivers import pagerduty, slack  # noqa: F401
