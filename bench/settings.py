"""Settings for the bench's gunicorn only: the portal's, plus the bench-only baseline views
and a middleware that counts each request's queries. Never used in production: only
bench/run.py names this module (DJANGO_SETTINGS_MODULE=bench.settings)."""

from bcp_portal.settings import *  # noqa: F403
from bcp_portal.settings import MIDDLEWARE

BENCH = True
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# Requests come over plain HTTP on the loopback.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
