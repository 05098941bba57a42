from tests.compliance.notifications.helpers import engine  # noqa: F401  # a fixture
