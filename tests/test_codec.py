"""codec: UTF-8 and JSON decoding with reasons."""

from __future__ import annotations

import pytest

from streams import codec
from streams.errors import InvalidMessage


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not_json"),
        (b"", "not_json"),
        (b"[1, 2]", "not_object"),
        (b'"a string"', "not_object"),
        ('{"id": "x", "body": "Café"}'.encode("latin-1"), "bad_encoding"),
        ('{"id": "x"}'.encode("utf-16"), "bad_encoding"),
    ],
)
def test_bad_bytes_name_their_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidMessage) as info:
        codec.loads_object(raw)
    assert info.value.reason == reason


def test_utf8_bom_and_non_ascii_round_trip() -> None:
    doc = {"id": "a", "body": "Menteri Pertahanan Korea Selatan — “kata Kim”"}
    assert codec.loads_object(b"\xef\xbb\xbf" + codec.dumps(doc)) == doc
