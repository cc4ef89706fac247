"""Alert queue views: filters, rows in local time, audited actions, detail with its events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from detections.alert_store import AlertWriter
from detections.alerts import AlertDraft, draft_from_match
from detections.base import Match, RuleInfo
from soc.errors import AuthError
from soc.state.db import StateDB
from soc.state.models import Alert, AuditEntry
from soc.stores.sqlite import SqliteEventStore
from soc_dashboard.context import Actor
from soc_dashboard.views.alert_detail import (
    attack_link,
    load_detail,
    render_detail,
    render_heading,
)
from soc_dashboard.views.alerts import (
    AlertFilter,
    TransitionRefused,
    actions_for,
    alert_row,
    apply_action,
    list_alerts,
    system_choices,
)
from tests.soc_dashboard.conftest import DownStore, seed_alert

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ANALYST = Actor(1, "ana", "analyst")


@pytest.fixture
def mixed(state: StateDB) -> dict[str, int]:
    return {
        "ssh": seed_alert(state),
        "scan": seed_alert(
            state,
            engine="suricata",
            rule_id="sid-1",
            rule_title="ET SCAN",
            rule_level="low",
            system_id="dng-man",
        ),
        "done": seed_alert(state, status="closed", rule_level="critical", rule_id="x"),
    }


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (AlertFilter(), {"ssh", "scan", "done"}),
        (AlertFilter(statuses=("new",)), {"ssh", "scan"}),
        (AlertFilter(levels=("low",)), {"scan"}),
        (AlertFilter(engines=("sigma",)), {"ssh", "done"}),
        (AlertFilter(system_id="dng-man"), {"scan"}),
        (AlertFilter(statuses=("new",), levels=("critical",)), set()),
    ],
)
def test_filters(
    state: StateDB, mixed: dict[str, int], flt: AlertFilter, expected: set[str]
) -> None:
    names = {v: k for k, v in mixed.items()}
    with state.session() as s:
        assert {names[a.id] for a in list_alerts(s, flt)} == expected


def test_limit_bounds_the_list(state: StateDB, mixed: dict[str, int]) -> None:
    with state.session() as s:
        assert len(list_alerts(s, AlertFilter(limit=2))) == 2


def test_filter_inputs_are_sanitised() -> None:
    flt = AlertFilter.from_inputs(["new", "'; drop"], "high", None, "", limit=10_000)
    assert flt == AlertFilter(("new",), ("high",), (), None, 500)


def test_system_choices(state: StateDB, mixed: dict[str, int]) -> None:
    with state.session() as s:
        assert system_choices(s) == ["dng-man", "dng-portal"]


def test_rows_show_local_time_and_labels(state: StateDB) -> None:
    alert_id = seed_alert(state, last_seen=datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    with state.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None
        vi = alert_row(alert, "vi", HCM)
        en = alert_row(alert, "en", HCM)
    assert vi["last_seen"] == "02/12/2026 00:30"  # 17:30 UTC is 00:30 the next day in Đà Nẵng
    assert en["last_seen"] == "2026-12-02 00:30"
    assert (vi["level"], vi["status"], en["status"]) == ("Cao", "Mới", "New")
    assert vi["source_ip"] == "203.0.113.7"
    assert vi["host"] == "portal-web-01"


def test_entities_given_as_ecs_paths_are_understood(state: StateDB) -> None:
    alert_id = seed_alert(state, entities={"source": {"ip": "198.51.100.1"}, "host.name": "dc01"})
    with state.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None
        row = alert_row(alert, "en", HCM)
    assert (row["source_ip"], row["host"]) == ("198.51.100.1", "dc01")


def test_acknowledge_then_close_is_audited(state: StateDB) -> None:
    alert_id = seed_alert(state)
    with state.session() as s:
        apply_action(s, alert_id, "acknowledge", ANALYST, note="  đang kiểm tra  ")
    with state.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None and alert.status == "acknowledged"
        assert actions_for(alert) == ["investigate", "close", "false_positive"]
        apply_action(s, alert_id, "close", ANALYST)
    with state.session() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("ana", "alert.acknowledge", f"alert:{alert_id}"),
        ("ana", "alert.close", f"alert:{alert_id}"),
    ]
    assert entries[0].details == {
        "status_from": "new",
        "status_to": "acknowledged",
        "note": "đang kiểm tra",
    }


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def test_actions_record_when_the_alert_was_acknowledged_and_closed(state: StateDB) -> None:
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    acked, closed_directly = seed_alert(state), seed_alert(state)
    with state.session() as s:
        apply_action(s, acked, "acknowledge", ANALYST, at=at)
        apply_action(s, closed_directly, "false_positive", ANALYST, at=at + timedelta(hours=1))
    with state.session() as s:
        alert = s.get(Alert, acked)
        assert alert is not None
        assert (_utc(alert.acknowledged_at), alert.closed_at) == (at, None)
        apply_action(s, acked, "close", ANALYST, at=at + timedelta(hours=3))
    with state.session() as s:
        alert, direct = s.get(Alert, acked), s.get(Alert, closed_directly)
        assert alert is not None and direct is not None
        assert _utc(alert.acknowledged_at) == at  # the first acknowledgement is kept
        assert _utc(alert.closed_at) == at + timedelta(hours=3)
        # Closing straight from "new" is also the first response to it.
        assert _utc(direct.acknowledged_at) == _utc(direct.closed_at) == at + timedelta(hours=1)


def test_status_changes_keep_the_first_acknowledgement_and_clear_a_reopened_close() -> None:
    at = datetime(2026, 11, 23, tzinfo=UTC)
    alert = Alert(status="new")
    alert.record_status("new", at)
    assert (alert.acknowledged_at, alert.closed_at) == (None, None)
    alert.record_status("in_progress", at)
    alert.record_status("closed", at + timedelta(hours=1))
    alert.record_status("false_positive", at + timedelta(hours=2))  # already closed
    assert (alert.acknowledged_at, alert.closed_at) == (at, at + timedelta(hours=1))
    alert.record_status("in_progress", at + timedelta(hours=5))  # reopened
    assert (alert.acknowledged_at, alert.closed_at) == (at, None)
    alert.record_status("closed", at + timedelta(hours=6))
    assert (alert.status, alert.closed_at) == ("closed", at + timedelta(hours=6))


def test_an_alert_goes_through_handling_and_a_closed_one_can_be_reopened(state: StateDB) -> None:
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    alert_id = seed_alert(state)
    steps = [
        ("investigate", "in_progress", ["close", "false_positive"]),
        ("false_positive", "false_positive", ["reopen"]),
        ("reopen", "in_progress", ["close", "false_positive"]),
        ("close", "closed", ["reopen"]),
    ]
    for hour, (action, status, next_actions) in enumerate(steps):
        with state.session() as s:
            alert = apply_action(s, alert_id, action, ANALYST, at=at + timedelta(hours=hour))
            assert (alert.status, actions_for(alert)) == (status, next_actions)
    with state.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None
        assert _utc(alert.acknowledged_at) == at  # starting to handle it acknowledged it
        assert _utc(alert.closed_at) == at + timedelta(hours=3)  # the reopen cleared the first
        trail = [
            e.details["status_to"] for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert trail == ["in_progress", "false_positive", "in_progress", "closed"]
    with state.session() as s, pytest.raises(TransitionRefused):
        apply_action(s, alert_id, "investigate", ANALYST)  # closed: only a reopen applies


def test_detections_group_into_a_reopened_alert_and_not_into_a_closed_one(state: StateDB) -> None:
    writer = AlertWriter(state, window_seconds=3600)
    rule = RuleInfo(id="r-9", title="SSH brute force", level="high")

    def hit(n: int, minute: int) -> AlertDraft:
        return draft_from_match(
            Match(
                rule,
                {
                    "@timestamp": f"2026-03-01T02:{minute:02d}:00Z",
                    "event": {"id": f"e{n}"},
                    "source": {"ip": "203.0.113.9"},
                },
            )
        )

    writer.write([hit(1, 0)])
    with state.session() as s:
        (alert_id,) = s.scalars(select(Alert.id))
        apply_action(s, alert_id, "close", ANALYST)
    assert writer.write([hit(2, 5)]).created == 1  # closed: the next hit is a new alert
    with state.session() as s:
        apply_action(s, alert_id, "reopen", ANALYST)
        s.execute(update(Alert).where(Alert.id != alert_id).values(status="false_positive"))
    assert writer.write([hit(3, 9)]).grouped == 1
    with state.session() as s:
        reopened = s.get(Alert, alert_id)
        assert reopened is not None and reopened.event_ids == ["e1", "e3"]


def test_actions_refused_for_read_only_roles_and_wrong_states(state: StateDB) -> None:
    alert_id = seed_alert(state, status="closed")
    with state.session() as s:
        with pytest.raises(AuthError):
            apply_action(s, alert_id, "close", Actor(2, "drill", "drill_leader"))
        with pytest.raises(TransitionRefused) as refused:
            apply_action(s, alert_id, "acknowledge", ANALYST)
        assert refused.value.status == "closed"
        with pytest.raises(AuthError):
            apply_action(s, alert_id, "delete", ANALYST)
    with state.session() as s:
        assert list(s.scalars(select(AuditEntry))) == []


def test_detail_fetches_matched_events_by_id(state: StateDB, store: SqliteEventStore) -> None:
    alert_id = seed_alert(state)
    with state.session() as s:
        detail = load_detail(s, store, alert_id)
        assert detail is not None
        ids = sorted(e["event"]["id"] for e in detail.events)
        assert ids == ["ev-0000", "ev-0001"]  # "ev-missing" is not in the store
        text = str(render_detail(detail, "vi", HCM))
        heading = str(render_heading(detail.alert, "vi"))
    assert "SSH brute force against the portal" in heading and "Cao" in heading
    assert "https://attack.mitre.org/techniques/T1110/001/" in text
    assert "Failed password for root #0" in text
    assert "IP nguồn" in text and "203.0.113.7" in text  # entity names in the reader's language
    assert load_detail(s, store, 999_999) is None


def test_detail_survives_a_store_outage(state: StateDB) -> None:
    alert_id = seed_alert(state)
    with state.session() as s:
        detail = load_detail(s, DownStore(), alert_id)
    assert detail is not None
    assert detail.events == []
    assert detail.events_error is not None and "down" in detail.events_error


def test_attack_links_only_for_technique_ids() -> None:
    assert attack_link("attack.t1059.001").href == (  # type: ignore[attr-defined]
        "https://attack.mitre.org/techniques/T1059/001/"
    )
    assert attack_link("credential-access").children == "credential-access"
