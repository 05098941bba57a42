"""The deadline engine: notification regimes as data, evaluated over dated facts.

Plain Python with no database access, so that the stored clocks, the reminders, the API,
`manage.py deadlines` and the what-if planner all compute the same answers.
"""
