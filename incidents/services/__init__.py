"""Writes for incidents: the lifecycle and timeline (`lifecycle.py`), reference data
(`reference.py`); escalation, on-call, post-mortems and alert intake in their own modules."""
