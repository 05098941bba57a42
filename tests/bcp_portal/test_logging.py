"""Each log record is printed once: by the root handler, never again by Django's own."""

import logging


def test_django_logs_through_the_root_handler_only():
    # Django's default config gives "django" a console handler of its own (while DEBUG is
    # on); with the root's console handler every warning and traceback printed twice.
    for name in ("django", "django.request"):
        logger = logging.getLogger(name)
        assert logger.handlers == [], (name, logger.handlers)
        assert logger.propagate
