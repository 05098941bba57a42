"""Runbook pages: documents (`documents`), versions and their changes (`versions`), the
approvals inbox and the sign page (`approvals`)."""
