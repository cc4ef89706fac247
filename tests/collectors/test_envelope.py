"""The shared event envelope: ids identical to ``soc.ecs.event_id``, paths set like set_field;
the raw record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.base import RawRecord
from collectors.envelope import id_source_key, new_event, put, record_id, to_int
from soc.ecs import event_id, set_field


@given(
    st.text(max_size=40) | st.sampled_from(["/var/log/a", "udp://10.0.0.1", "\udcff"]),
    st.binary(max_size=200),
    st.none() | st.integers(min_value=0, max_value=1 << 40),
    st.sampled_from(["", "syslog", "suricata-eve"]),
)
def test_record_id_is_event_id(
    source: str, raw: bytes, offset: int | None, source_type: str
) -> None:
    key = id_source_key(source_type, source)
    assert record_id(source, raw, offset, source_type) == event_id(key, raw, offset)
    assert record_id(source, raw, offset, source_type) == event_id(key, raw, offset)  # cached
    record = RawRecord(raw, source, offset, source_type=source_type)
    made = new_event(record, dataset="d", module="m", original=None)
    assert made["event"]["id"] == event_id(key, raw, offset)


def test_the_source_type_is_part_of_the_id() -> None:
    as_syslog = record_id("/var/log/eve.json", b"{}", 0, "syslog")
    as_eve = record_id("/var/log/eve.json", b"{}", 0, "suricata-eve")
    assert len({as_syslog, as_eve, record_id("/var/log/eve.json", b"{}", 0)}) == 3
    assert as_eve == record_id("/var/log/eve.json", b"{}", 0, "suricata-eve")


def test_ids_differ_by_source_offset_and_bytes() -> None:
    ids = {
        record_id("/a", b"x", 0),
        record_id("/b", b"x", 0),
        record_id("/a", b"x", 1),
        record_id("/a", b"y", 0),
        record_id("/a", b"x", None),
    }
    assert len(ids) == 5


def test_put_is_set_field() -> None:
    ours: dict = {"source": "not a dict", "user": {"name": "a"}}
    theirs: dict = {"source": "not a dict", "user": {"name": "a"}}
    for path, value in ((("source", "ip"), "1.2.3.4"), (("user", "id"), 5), (("a", "b", "c"), 1)):
        put(ours, path, value)
        set_field(theirs, ".".join(path), value)
    assert ours == theirs
    assert ours == {
        "source": {"ip": "1.2.3.4"},
        "user": {"name": "a", "id": 5},
        "a": {"b": {"c": 1}},
    }


def test_raw_record_is_an_immutable_value() -> None:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    record = RawRecord(b"x", "/a", 5, received_at=moment)
    assert (record.data, record.source, record.offset, record.peer) == (b"x", "/a", 5, None)
    assert (record.source_type, record.zone, record.agency) == ("", None, None)
    assert record.received_at is moment
    assert RawRecord(b"x", "/a").received_at.tzinfo is not None  # now, when not given
    assert record == RawRecord(b"x", "/a", 5, None, moment, "", None, None)
    assert hash(record) == hash(RawRecord(b"x", "/a", 5, received_at=moment))
    with pytest.raises(AttributeError):
        record.zone = "man"  # type: ignore[misc]
    moved = record._replace(zone="man", agency="dng-ca")
    assert (moved.zone, moved.agency, record.zone) == ("man", "dng-ca", None)
    assert isinstance(moved, RawRecord)


def reference_to_int(value: object) -> int | None:
    """to_int's rule written plainly: a JSON integer, or text of digits with an optional sign."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, int):
        return value
    if not value.strip().lstrip("-").isdigit():
        return None
    try:
        return int(value)
    except ValueError:
        return None


@given(
    st.text(alphabet="0123456789-+ \t²٣x", max_size=8)
    | st.integers()
    | st.booleans()
    | st.floats()
    | st.none()
    | st.sampled_from(["²", "--5", " 12 ", "-7", "٣", "1_000", "+3", ""])
)
def test_to_int_never_raises(value: object) -> None:
    assert to_int(value) == reference_to_int(value)


def test_to_int_reads_integers_and_digit_text_only() -> None:
    assert [to_int(v) for v in (5, "42", " 7 ", "-3", True, 1.0, "x", "²", "--5")] == [
        5, 42, 7, -3, None, None, None, None, None,
    ]  # fmt: skip
