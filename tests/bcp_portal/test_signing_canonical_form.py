"""The canonical form of a signature's payload is pinned byte for byte (docs/signing.md)."""

from __future__ import annotations

import hashlib

import pytest

from bcp_portal.core import signing


def test_the_canonical_form_is_sorted_compact_utf8_json_with_version_and_purpose():
    data = signing.canonical_bytes(
        "runbook_change", {"reason": "Zürich\r\nsite", "content": "# T\r\n", "document": "D-1"}
    )
    assert (
        data
        == (
            '{"content":"# T\\n","document":"D-1","purpose":"runbook_change",'
            '"reason":"Zürich\\nsite","v":1}'
        ).encode()
    )


def test_the_hash_is_the_sha256_of_those_bytes_and_line_endings_do_not_change_it():
    lf = signing.content_hash("p", {"content": "a\nb\n"})
    assert lf == signing.content_hash("p", {"content": "a\r\nb\r\n"})
    assert lf == signing.content_hash("p", {"content": "a\rb\r"})
    expected = hashlib.sha256(b'{"content":"a\\nb\\n","purpose":"p","v":1}').hexdigest()
    assert lf == expected


def test_a_payload_may_not_claim_the_reserved_names():
    with pytest.raises(ValueError, match="reserved"):
        signing.canonical_bytes("p", {"v": "2"})
