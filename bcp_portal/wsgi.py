import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcp_portal.settings")
application = get_wsgi_application()

# WSGI servers do not run system checks: refuse to serve with a missing or weak secret key
# (bcp_portal.E001/E002) rather than sign sessions with a key published in the repository.
from bcp_portal.core.checks import check_secret_key  # noqa: E402

_key_errors = check_secret_key()
if _key_errors:
    raise ImproperlyConfigured("; ".join(f"{e.id}: {e.msg}" for e in _key_errors))
