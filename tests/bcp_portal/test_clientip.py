"""The one answer to "which address is the client's" (`bcp_portal.core.clientip`)."""

import pytest

from bcp_portal.core.clientip import client_ip


def request_from(rf, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **headers)


def test_with_no_trusted_proxy_the_peer_address_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(rf, "198.51.100.7", "192.0.2.1")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # One proxy: it appended the address it saw, the last entry.
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        # Two proxies: the outer one appended the client, the inner one the outer proxy.
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, " 198.51.100.7 ", "198.51.100.7"),
    ],
)
def test_behind_trusted_proxies_the_client_is_counted_from_the_right(
    rf, settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from(rf, "10.0.0.2", forwarded)) == expected


@pytest.mark.parametrize(
    "forwarded",
    [None, "", "not-an-address", "198.51.100.7, ", "unknown"],
    ids=["missing", "empty", "garbage", "trailing-blank", "unknown"],
)
def test_a_missing_or_malformed_header_falls_back_to_the_peer(rf, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(rf, "10.0.0.2", forwarded)) == "10.0.0.2"


def test_fewer_entries_than_trusted_proxies_falls_back_to_the_peer(rf, settings):
    # The request did not pass every proxy: the header is not what they would have made.
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(rf, "10.0.0.2", "198.51.100.7")) == "10.0.0.2"


def test_django_axes_reads_the_client_address_from_this_function(settings):
    from axes.helpers import get_client_ip_address

    assert settings.AXES_CLIENT_IP_CALLABLE == "bcp_portal.core.clientip.client_ip"
    settings.TRUSTED_PROXY_COUNT = 1
    request = type(
        "R", (), {"META": {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}}
    )()
    assert get_client_ip_address(request) == "198.51.100.7"
