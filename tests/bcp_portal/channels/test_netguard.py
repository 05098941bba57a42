"""Link-local and cloud-metadata addresses are refused when a target is saved and when sent.

A name is resolved at send time too, and the connection goes to the address checked: a name
that resolved to a loopback receiver when saved and to the metadata service later is refused.
Name resolution is the operating system's (`socket.getaddrinfo`), replaced here for the
names the test invents; everything of the portal's runs as it does in production.
"""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from bcp_portal.core import outbox
from bcp_portal.core.channels import netguard
from bcp_portal.core.channels.services import notification_target_create
from bcp_portal.core.models import NotificationTarget
from bcp_portal.core.outbox import outbox_add
from tests.conftest import make_persona
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.10.1/hook",
    "http://[fe80::1]/hook",
    "http://[fd00:ec2::254]/latest/",
    "http://[::ffff:169.254.169.254]/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.google.internal./",
    "http://100.100.100.200/latest/meta-data/",
    # 169.254.169.254 written as one decimal number: resolved, then refused.
    "http://2852039166/",
    "http://0.0.0.0:8080/",
    "ftp://hooks.example.org/",
    "file:///etc/passwd",
    "http://user:pass@hooks.example.org/",
    "http:///nohost",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_link_local_metadata_or_odd_address_is_refused(url):
    with pytest.raises(netguard.UnsafeAddress):
        netguard.check_url(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/hook", "http://[::1]:9000/", "https://10.0.0.5/hook"]
)
def test_loopback_and_private_addresses_stay_allowed(url):
    assert netguard.check_url(url)[0] in ("http", "https")


@pytest.fixture
def dns(monkeypatch):
    """Answers for invented names; any other name is resolved as usual."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            family = socket.AF_INET6 if ":" in answers[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_target_at_the_metadata_address_is_refused_at_save():
    lead = make_persona("srelead")
    with pytest.raises(ValidationError) as refused:
        notification_target_create(
            actor=lead, name="meta", kind="slack", url="http://169.254.169.254/", secret="s"
        )
    assert "cloud metadata" in str(refused.value.message_dict["url"])
    assert not NotificationTarget.objects.exists()


def test_a_name_resolving_to_link_local_is_refused_at_save(dns):
    dns["hooks.evil.test"] = "169.254.7.7"
    lead = make_persona("srelead")
    with pytest.raises(ValidationError) as refused:
        notification_target_create(
            actor=lead, name="evil", kind="json", url="http://hooks.evil.test/", secret="s"
        )
    assert "hooks.evil.test resolves to 169.254.7.7 is a link-local address" in str(
        refused.value.message_dict["url"]
    )


def test_a_name_pointed_at_the_metadata_service_after_saving_is_refused_at_send(
    dns, slack, mailoutbox
):
    dns["hooks.rebind.test"] = "127.0.0.1"
    lead = make_persona("srelead")
    notification_target_create(
        actor=lead,
        name="rebind",
        kind="slack",
        url=f"http://hooks.rebind.test:{slack.port}/hook",
        secret="s",
    )
    message = outbox_add(
        key="k", subject="s", body="b", to_user=UserFactory(), channels=["webhook:rebind"]
    )
    dns["hooks.rebind.test"] = "169.254.169.254"

    assert outbox.deliver(message.pk) == outbox.OutboxMessage.Status.SENT

    assert slack.received == []
    assert "resolves to 169.254.169.254 is a cloud metadata address" in message.tries.first().error
    assert len(mailoutbox) == 1


def test_a_name_resolved_at_send_is_connected_to_at_the_address_checked(dns, slack):
    dns["hooks.loopback.test"] = "127.0.0.1"
    NotificationTarget.objects.create(
        name="named", kind="slack", url=f"http://hooks.loopback.test:{slack.port}/h", secret="s"
    )
    message = outbox_add(
        key="k", subject="s", body="b", to_user=UserFactory(), channels=["webhook:named"]
    )
    assert outbox.deliver(message.pk) == outbox.OutboxMessage.Status.SENT
    [request] = slack.received
    assert request.headers["Host"] == f"hooks.loopback.test:{slack.port}"


def test_a_target_saved_at_the_metadata_address_behind_the_services_back_is_refused_at_send(
    mailoutbox,
):
    NotificationTarget.objects.create(
        name="meta", kind="pagerduty", url="http://169.254.169.254/v2/enqueue", secret="r"
    )
    message = outbox_add(
        key="k", subject="s", body="b", to_user=UserFactory(), channels=["pagerduty:meta"]
    )
    assert outbox.deliver(message.pk) == outbox.OutboxMessage.Status.SENT
    assert "cloud metadata address" in message.tries.first().error
    assert len(mailoutbox) == 1
