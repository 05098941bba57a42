"""PDF report contexts and the report-rendering task (see bcp_portal.pdf)."""
