"""Alerts: drafts, severity, entities, grouping in the window, suppressions, engine alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from detections.alert_store import AlertWriter
from detections.alerts import (
    _lookup,
    _path_plan,
    draft_from_engine_alert,
    draft_from_match,
    merge_drafts,
    severity,
)
from detections.base import Match, RuleInfo
from detections.suppressions import add_suppression, remove_suppression
from soc.ecs import get_field
from soc.errors import SocError
from soc.state.db import StateDB, open_state
from soc.state.models import Alert, AuditEntry

RULE = RuleInfo(
    id="r-1",
    title="SSH brute force",
    level="high",
    tags=("attack.credential-access", "attack.t1110.001", "attack.initial_access"),
)


def _event(n: int, minute: int = 0, src: str = "203.0.113.9", **extra: Any) -> dict[str, Any]:
    return {
        "@timestamp": f"2026-03-01T02:{minute:02d}:00.000000Z",
        "event": {"id": f"e{n}", "dataset": "linux.auth"},
        "host": {"hostname": "web-01"},
        "source": {"ip": src},
        "user": {"name": "root"},
        **extra,
    }


@pytest.fixture
def state(tmp_path: Path) -> StateDB:
    return open_state(f"sqlite:///{tmp_path / 'state.db'}")


def _rows(state: StateDB) -> list[Alert]:
    with state.session() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def test_rule_info_reads_attack_tags() -> None:
    assert RULE.techniques == ("T1110.001",)
    assert RULE.tactics == ("credential-access", "initial-access")


def test_draft_carries_entities_times_and_severity() -> None:
    draft = draft_from_match(
        Match(RULE, _event(1, soc={"security_level": 4, "system_id": "portal"}))
    )
    assert draft.entities == {
        "host": "web-01",
        "user": "root",
        "source_ip": "203.0.113.9",
        "system": "portal",
    }
    assert draft.first_seen == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert draft.event_ids == ("e1",)
    assert draft.severity == 80  # high (70) on a level-4 system (+10)
    assert severity("low", None) == 30 and severity("critical", 5) == 100


def test_identical_hits_in_the_window_are_one_alert_with_a_count(state: StateDB) -> None:
    writer = AlertWriter(state, window_seconds=600)
    first = writer.write(
        [draft_from_match(Match(RULE, _event(1, 0))), draft_from_match(Match(RULE, _event(2, 3)))]
    )
    second = writer.write([draft_from_match(Match(RULE, _event(3, 9)))])
    assert (first.created, second.grouped) == (1, 1)
    (row,) = _rows(state)
    assert row.count == 3 and row.event_ids == ["e1", "e2", "e3"]
    assert row.techniques == ["T1110.001"] and row.rule_level == "high"
    assert row.last_seen.replace(tzinfo=UTC) == datetime(2026, 3, 1, 2, 9, tzinfo=UTC)


def test_outside_the_window_or_other_entities_make_new_alerts(state: StateDB) -> None:
    writer = AlertWriter(state, window_seconds=60)
    writer.write([draft_from_match(Match(RULE, _event(1, 0)))])
    writer.write([draft_from_match(Match(RULE, _event(2, 5)))])  # 5 minutes later
    writer.write([draft_from_match(Match(RULE, _event(3, 5, src="198.51.100.7")))])
    assert [r.count for r in _rows(state)] == [1, 1, 1]


def test_replayed_events_do_not_count_twice_and_ids_are_bounded(state: StateDB) -> None:
    writer = AlertWriter(state, window_seconds=3600, max_event_ids=3)
    drafts = [draft_from_match(Match(RULE, _event(n, n))) for n in range(5)]
    writer.write(drafts)
    writer.write(drafts[:2])
    (row,) = _rows(state)
    assert row.count == 5 and row.event_ids == ["e0", "e1", "e2"]


def test_suppression_silences_until_expiry_and_is_audited(state: StateDB) -> None:
    writer = AlertWriter(state)
    with state.session() as s:
        entry = add_suppression(
            s,
            rule_id="r-1",
            field="source_ip",
            value="203.0.113.9",
            reason="pentest",
            author="lan",
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        entry_id = entry.id
    summary = writer.write([draft_from_match(Match(RULE, _event(1)))])
    assert summary.suppressed == 1 and not _rows(state)
    assert writer.write([draft_from_match(Match(RULE, _event(2, src="192.0.2.1")))]).created == 1
    with state.session() as s:
        remove_suppression(s, entry_id, "lan")
    assert writer.write([draft_from_match(Match(RULE, _event(3)))]).created == 1
    with state.session() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["suppression.add", "suppression.remove"]


def test_expired_suppression_does_not_apply(state: StateDB) -> None:
    with state.session() as s:
        add_suppression(s, rule_id="*", field="host", value="WEB-01", reason="x", author="lan")
    assert AlertWriter(state).write([draft_from_match(Match(RULE, _event(1)))]).suppressed == 1
    with pytest.raises(SocError), state.session() as s:
        add_suppression(
            s,
            rule_id="*",
            field="host",
            value="a",
            reason="x",
            author="lan",
            expires_at=datetime.now(UTC) - timedelta(minutes=1),
        )
    with pytest.raises(SocError), state.session() as s:
        add_suppression(s, rule_id="*", field="colour", value="a", reason="x", author="lan")


def test_suricata_alert_events_become_alerts(state: StateDB) -> None:
    eve = {
        "@timestamp": "2026-03-01T02:00:00.000000Z",
        "event": {
            "id": "s1",
            "kind": "alert",
            "dataset": "suricata.eve",
            "module": "suricata",
            "severity": 1,
        },
        "rule": {"id": "2010935", "name": "ET SCAN Suspicious inbound to MSSQL port 1433"},
        "source": {"ip": "203.0.113.5"},
        "destination": {"ip": "10.10.1.20"},
        "suricata": {"eve": {"alert": {"metadata": {"mitre_technique_id": ["T1046"]}}}},
    }
    draft = draft_from_engine_alert(eve)
    assert draft is not None
    assert (draft.engine, draft.rule.level, draft.rule.techniques) == (
        "suricata",
        "high",
        ("T1046",),
    )
    assert draft_from_engine_alert({**eve, "event": {"id": "s2", "kind": "event"}}) is None
    AlertWriter(state).write([draft])
    (row,) = _rows(state)
    assert (row.engine, row.rule_id, row.entities["destination_ip"]) == (
        "suricata",
        "2010935",
        "10.10.1.20",
    )


def test_yara_alert_events_keep_level_and_attack() -> None:
    hit = {
        "@timestamp": "2026-03-01T02:00:00.000000Z",
        "event": {
            "id": "y1",
            "kind": "alert",
            "dataset": "yara.scan",
            "module": "yara",
            "severity": 99,
        },
        "rule": {"id": "SOC_WebShell_PHP_Eval", "name": "SOC_WebShell_PHP_Eval"},
        "file": {"path": "/srv/uploads/anh.php"},
        "threat": {
            "technique": {"id": ["T1505"], "subtechnique": {"id": ["T1505.003"]}},
            "tactic": {"name": ["persistence"]},
        },
    }
    draft = draft_from_engine_alert(hit)
    assert draft is not None
    assert (draft.engine, draft.rule.level, draft.entities["file"]) == (
        "yara",
        "critical",
        "/srv/uploads/anh.php",
    )
    assert draft.rule.techniques == ("T1505", "T1505.003") and draft.rule.tactics == (
        "persistence",
    )


_LABELS = st.sampled_from(["a", "b", "a.b", "c", "b.c"])
_VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=3))
_DOCS = st.recursive(
    st.dictionaries(_LABELS, _VALUES, max_size=3),
    lambda inner: st.dictionaries(_LABELS, st.one_of(_VALUES, inner), max_size=3),
    max_leaves=12,
)


@given(_DOCS, st.sampled_from(["a", "a.b", "a.b.c", "b.c", "a.a.b", "c.b.c"]))
def test_lookup_with_a_split_path_reads_like_get_field(doc: dict[str, Any], path: str) -> None:
    assert _lookup(doc, _path_plan(path)) == get_field(doc, path)


def test_a_noisy_rule_merges_in_one_pass_and_splits_at_the_window() -> None:
    drafts = [draft_from_match(Match(RULE, _event(n, minute=n // 100))) for n in range(3000)]
    late = draft_from_match(Match(RULE, _event(9999, minute=59)))
    merged = merge_drafts([*reversed(drafts), late], window_seconds=600)
    assert sorted(len(d.event_ids) for d in merged) == [1, 3000]
    big = next(d for d in merged if len(d.event_ids) == 3000)
    assert set(big.event_ids) == {f"e{n}" for n in range(3000)}
    assert big.first_seen == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert big.last_seen == datetime(2026, 3, 1, 2, 29, tzinfo=UTC)


def test_a_batch_of_many_groups_joins_their_open_alerts(state: StateDB) -> None:
    writer = AlertWriter(state, window_seconds=3600)
    sources = [f"198.51.100.{i}" for i in range(1, 120)]
    first = writer.write([draft_from_match(Match(RULE, _event(i, 0, s))) for i, s in
                          enumerate(sources)])  # fmt: skip
    second = writer.write(
        [draft_from_match(Match(RULE, _event(1000 + i, 5, s))) for i, s in enumerate(sources)]
        + [draft_from_match(Match(RULE, _event(5000, 6, "192.0.2.1")))]
    )
    assert (first.created, second.grouped, second.created) == (119, 119, 1)
    rows = _rows(state)
    assert len(rows) == 120 and sorted(r.count for r in rows) == [1] + [2] * 119
