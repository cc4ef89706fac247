"""The engine input built from the facts (ages, flags, slots, batches) and the evaluation plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.bundle import REGO_DIR, bundle_data, rego_files
from policies.catalog_loader import Catalog, engine_data
from policies.engines.regopy import RegopyEngine
from policies.plan import form_of, layout_for, lookups, plan_data
from policies.policy_input import (
    DECISION_PARAMS,
    age_days,
    batches,
    decision,
    evaluate_systems,
    ns_of,
    results,
    silent_seconds,
    system_input,
)
from policies.regotest import shared_helpers
from soc.errors import PolicyError

NOW = "2026-11-20T03:00:00+00:00"


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "date": NOW,
        "profile": "current",
        "system": {
            "id": "s1",
            "system_type": "citizen_service",
            "administrative_procedures": True,
            "conditional_business_line": False,
            "state_secret_harm": "none",
            "functions": [],
            "approved_level": 3,
            "instrumentable": True,
            "log_sources": ["nginx.access", "cisco.asa"],
        },
        "evidence": {
            "assessment": [
                {
                    "id": "audit",
                    "issued": "2026-03-20T00:00:00+07:00",
                    "assessor": 'Công ty "Sơn Trà"\\',
                    "details": {"scope": "system", "note": "not read by any policy"},
                }
            ],
        },
        "controls": {
            "vpn": {"id": "plan", "issued": "2025-03-01T00:00:00+07:00", "state": "in_place"},
            "waf": {
                "id": "plan",
                "issued": "2025-03-01T00:00:00+07:00",
                "state": "planned",
                "expires": "2026-01-01T00:00:00+07:00",
            },
        },
        "telemetry": {
            "window_hours": 24,
            "sources": {"nginx.access": "2026-11-20T02:59:59.500000+00:00", "cisco.asa": None},
            "links": [{"id": "l1", "sensor": "ids-1"}],
            "oldest_event": "2026-08-22T03:00:00+00:00",
            "store_retention_days": None,
        },
        "exchanges": {"last_ok": "2026-11-10T08:30:00+07:00"},
        "incidents": [],
    }
    doc.update(changes)
    return doc


def test_times_become_whole_ages_as_the_policies_count_them() -> None:
    now = ns_of(NOW)
    assert ns_of("2026-11-20T10:00:00+07:00") == now
    assert age_days("2026-11-19T00:00:00+07:00", now) == 1  # 1 day 10 hours
    assert age_days("2026-11-20T03:00:01+00:00", now) == -1
    assert silent_seconds("2026-11-20T02:59:59.500000+00:00", now) == 1  # rounded up
    assert silent_seconds(None, now) is None
    with pytest.raises(PolicyError, match="offset"):
        ns_of("2026-11-20T03:00:00")


def test_a_system_goes_in_lean_with_its_records_at_their_slots(catalog: Catalog) -> None:
    layout = layout_for(catalog)
    item = system_input(_doc(), ns_of(NOW), layout)
    assert item["system"] == {
        "system_type": "citizen_service",
        "administrative_procedures": True,
        "approved_level": 3,
    }
    audit = item["kinds"][layout.slot("assessment")]
    assert audit == [
        ["audit", 245, {"details": {"scope": "system"}, "assessor": 'Công ty "Sơn Trà"\\'}]
    ]
    assert item["controls"][layout.slot("vpn", control=True)] == ["plan", 629]
    waf = item["controls"][layout.slot("waf", control=True)]
    assert waf == ["plan", 629, {"expired": True, "state": "planned"}]
    assert item["controls"][layout.slot("pam", control=True)] is None
    tel = item["telemetry"]
    assert tel["sources"] == [["nginx.access", 1], ["cisco.asa", None]]
    assert tel["links"] == [["l1", None]] and tel["held_days"] == 90
    assert tel["exchange_age_days"] == 10 and "store_days" not in tel
    assert "zones" not in item and "incidents" not in item
    assert "alerts" not in tel  # no high alert: nothing to carry


def test_alert_handling_goes_in_as_four_figures(catalog: Catalog) -> None:
    handling = {
        "window_days": 30,
        "high": 4,
        "acknowledged": 2,
        "median_ack_hours": 2.5,
        "oldest_open_hours": None,
    }
    doc = _doc()
    doc["telemetry"]["alert_handling"] = handling
    tel = system_input(doc, ns_of(NOW), layout_for(catalog))["telemetry"]
    assert tel["alerts"] == [4, 2, 2.5, None]


def test_alert_handling_reaches_layer_2_without_changing_any_status(
    engine: RegopyEngine, catalog: Catalog
) -> None:
    layout = layout_for(catalog)
    plain = _doc()
    handled = _doc()
    handled["telemetry"] = {
        **plain["telemetry"],
        "alert_handling": {"high": 7, "acknowledged": 5, "median_ack_hours": 1.5,
                           "oldest_open_hours": 30},
    }  # fmt: skip
    before, after = evaluate_systems(engine, [plain, handled], layout)
    assert [d[:3] for d in after["decisions"]] == [d[:3] for d in before["decisions"]]
    changed = [d[0] for d in after["decisions"] if d not in before["decisions"]]
    assert changed == ["L4M-2"]  # the layer-2 requirement carries the layer's parameters
    assert after["layers"]["2"]["status"] == before["layers"]["2"]["status"]
    assert after["layers"]["2"]["params"] == {**before["layers"]["2"]["params"],
                                             "alerts": [7, 5, 1.5, 30]}  # fmt: skip
    assert "alerts" not in before["layers"]["2"]["params"]


def test_an_uninstrumentable_system_says_so_and_go_live_has_an_age(catalog: Catalog) -> None:
    system = {**_doc()["system"], "instrumentable": False, "go_live": "2024-07-01T00:00:00+07:00"}
    item = system_input(_doc(system=system), ns_of(NOW), layout_for(catalog))
    assert item["system"]["instrumentable"] is False
    assert item["system"]["go_live_age"] == 872


def test_batches_share_a_moment_and_profile_and_name_their_layout(catalog: Catalog) -> None:
    layout = layout_for(catalog)
    docs = [_doc(), _doc(), _doc(profile="legacy"), _doc()]
    found = batches(docs, layout, size=1)
    assert [len(b["systems"]) for b in found] == [1, 1, 1, 1]
    found = batches(docs, layout, size=25)
    assert [(b["profile"], len(b["systems"])) for b in found] == [
        ("current", 2),
        ("legacy", 1),
        ("current", 1),
    ]
    assert {b["layout"] for b in found} == {layout.key}
    with pytest.raises(PolicyError, match="date or profile"):
        batches([{**_doc(), "date": None}], layout)


def test_results_are_flattened_and_a_short_answer_is_an_error(catalog: Catalog) -> None:
    found = batches([_doc(), _doc()], layout_for(catalog))
    answer = '[[{"level": 1}, {"1": {}}, [["A", "pass", "valid", {}]], []], [{}, {}]]'
    first = results([answer], found)[0]
    assert first["decisions"] == [["A", "pass", "valid", {}]]
    assert (first["classification"], first["layers"]) == ({"level": 1}, {"1": {}})
    with pytest.raises(PolicyError, match="no result"):
        results(["[[{}, {}]]"], found)
    with pytest.raises(PolicyError, match="malformed"):
        results(["[[{}], [{}]]"], found)
    with pytest.raises(PolicyError, match="unreadable"):
        results(["[{"], found)


def test_decision_params_are_named_by_their_reason() -> None:
    assert decision(["V", "fail", "outdated", [200, 183, "scan"]]) == [
        "V", "fail", "outdated", {"age_days": 200, "max_age_days": 183, "record": "scan"},
    ]  # fmt: skip
    assert decision(["G", "fail", "incomplete", [["drill"]]])[3] == {"missing": ["drill"]}
    layer = {"provider": "A", "alerts": [1, 1, 0.5, None]}
    assert decision(["L2", "pass", "layer2_ok", layer])[3] == layer
    with pytest.raises(PolicyError, match="unnamed"):
        decision(["X", "fail", "no_such_reason", [1]])
    with pytest.raises(PolicyError, match="unnamed"):
        decision(["X", "pass", "valid", ["r", "one too many"]])
    with pytest.raises(PolicyError, match="malformed"):
        decision(["X", "pass", "valid"])


def test_every_named_reason_has_a_message(catalog: Catalog) -> None:
    assert sorted(set(DECISION_PARAMS) - set(catalog.messages)) == []


def test_quotes_and_backslashes_reach_the_policy_and_come_back(
    engine: RegopyEngine, catalog: Catalog
) -> None:
    """regopy hands input strings over raw while rego-cpp keeps strings escaped: the engine
    escapes them, or this assessor's name would break the answer."""
    (result,) = evaluate_systems(engine, [_doc()], layout_for(catalog))
    layer3 = result["layers"]["3"]
    assert layer3["reason"] == "layer3_ok"
    assert layer3["params"]["assessor"] == 'Công ty "Sơn Trà"\\'


def test_batch_size_does_not_change_any_answer(engine: RegopyEngine, catalog: Catalog) -> None:
    layout = layout_for(catalog)
    docs = [_doc(), _doc(system={**_doc()["system"], "approved_level": 1}), _doc()]
    one_by_one = results(
        engine.evaluate_many("systems", batches(docs, layout, size=1)),
        batches(docs, layout, size=1),
    )
    assert evaluate_systems(engine, docs, layout) == one_by_one


def test_a_batch_built_for_another_catalogue_gets_no_answer(
    engine: RegopyEngine, catalog: Catalog
) -> None:
    found = batches([_doc()], layout_for(catalog))
    found[0]["layout"] = "0" * 16
    with pytest.raises(PolicyError, match="no result"):
        results(engine.evaluate_many("systems", found), found)


def test_the_plan_holds_each_requirement_in_force_once_per_level(catalog: Catalog) -> None:
    data = engine_data(catalog)
    plan = plan_data(data)
    assert plan == {k: bundle_data()["catalog"][k] for k in plan}
    for profile, periods in plan["plan"].items():
        now = plan["periods"][profile][-1]
        level_3 = periods[-1][3]
        ids = sorted(
            e[0] if isinstance(e, list) else e["id"] for group in level_3.values() for e in group
        )
        expected = sorted(
            e["id"] for e in data["index"][profile]["3"] if e["from_ns"] <= now <= e["to_ns"]
        )
        assert ids == expected


def test_the_lookup_tables_follow_the_catalogue(catalog: Catalog) -> None:
    data = engine_data(catalog)
    found = lookups(data)
    for profile, criteria in found["criteria"].items():
        ids = [c[0] for c in criteria]
        assert ids == sorted(ids)
        assert all(profile in data["classification"][i]["profiles"] for i in ids)
        assert all(data["classification"][i]["level"] == lv for i, lv in criteria)
    assert found["assessment_days_by_level"][5] == data["four_layer"]["assessment_days"]["5"]
    targets = data["four_layer"]["targets"]["current"]
    assert set(found["accepted_targets"]["current"]) == set(targets)
    assert found["source_category_of"]["suricata.eve"] == ["ids"]


@pytest.mark.parametrize(
    ("check", "form"),
    [({"type": "evidence", "controls": ["vpn"], "missing": "unknown"}, "control"),
     ({"type": "evidence", "controls": ["a", "b"], "missing": "unknown"}, "evidence"),
     ({"type": "evidence", "kind": "pentest", "max_age_days": 365}, "document"),
     ({"type": "evidence", "kind": "budget", "at_least": {"ratio": 0.1}}, "evidence"),
     ({"type": "evidence", "kind": "x", "deadline_ns": 1}, "evidence"),
     ({"type": "zones", "min_count": 5}, "zones")],
)  # fmt: skip
def test_the_form_of_a_check(check: dict[str, Any], form: str) -> None:
    assert form_of(check) == form


def test_names_shared_across_packages_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.rego").write_text(
        "package a.x\n\n_helper(v) := v\n\nf(v) := v\n", encoding="utf-8"
    )
    (tmp_path / "a" / "y.rego").write_text(
        "package a.y\n\n_helper := 1\n\ng(v) := v\n", encoding="utf-8"
    )
    found = shared_helpers(sorted(tmp_path.rglob("*.rego")), tmp_path)
    assert [(r.file, r.outcome, r.detail) for r in found] == [
        ("a/y.rego", "error", "'_helper' is also defined in a/x.rego: rename one")
    ]
    shipped = rego_files(REGO_DIR) + rego_files(REGO_DIR, tests=True)
    assert shared_helpers(shipped, REGO_DIR) == []
