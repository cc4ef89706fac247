package four_layer.layers_test

import rego.v1

import data.four_layer.layers
import data.levels.classification
import data.lib.telemetry

# Evaluated on 2026-11-20 (records carry their age in days on that date).

_sys := {"system_type": "citizen_service", "approved_level": 3}

_evidence := {
	"infosec_unit": [["unit", 462]],
	"security_regulation": [["reg", 1360]],
	"ir_team": [["team", 436]],
	"soc_service": [["soc", 319, {"provider": "Công ty An ninh mạng Hải Vân"}]],
	"assessment": [["audit", 245, {"assessor": "Công ty Kiểm định Sơn Trà", "details": {"scope": "system"}}]],
	"national_connection": [["ncc", 66, {"details": {"target": "mps_ncc"}}]],
}

_telemetry := {"window_hours": 24, "sources": [["nginx.access", 7200]], "links": [["l1", 7200]], "exchange_age_days": 9}

# One system of a batch: each document kind at its slot.
_item(evidence, sys, tel) := {"system": sys, "kinds": kinds, "controls": [], "telemetry": tel} if {
	kinds := [v | some k in data.catalog.slots.kinds; v := object.get(evidence, k, null)]
}

_four_layers(evidence, tel, sys, profile) := l if {
	s := _item(evidence, sys, tel)
	level := classification.assess(sys, profile).effective_level
	l := layers.four(s, level, profile, telemetry.observed(sys, tel))
}

test_all_four_layers_pass_with_complete_evidence_and_live_facts if {
	l := _four_layers(_evidence, _telemetry, _sys, "current")
	every n in ["1", "2", "3", "4"] {
		l[n].status == "pass"
	}
	l["2"].params.provider == "Công ty An ninh mạng Hải Vân"
	l["4"].params == {"target": "mps_ncc", "age_days": 9}
}

test_layer1_fails_listing_each_missing_document if {
	ev := object.remove(_evidence, ["ir_team", "infosec_unit"])
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["1"].status == "fail"
	l["1"].params.missing == ["infosec_unit", "ir_team"]
}

test_layer1_does_not_count_an_expired_document if {
	ev := object.union(_evidence, {"ir_team": [["team", 900, {"expired": true}]]})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["1"].params.missing == ["ir_team"]
}

test_layer2_fails_when_a_required_source_stops if {
	tel := object.union(_telemetry, {"sources": [["nginx.access", 86400 + 3600]]})
	l := _four_layers(_evidence, tel, _sys, "current")
	l["2"].status == "fail"
	l["2"].reason == "layer2_logs"
	l["2"].params.stale == ["nginx.access"]
}

test_layer2_fails_when_an_internet_link_has_no_live_sensor if {
	tel := object.union(_telemetry, {"links": [["l1", 1641600]]})
	l := _four_layers(_evidence, tel, _sys, "current")
	l["2"].reason == "layer2_ids"
	l["2"].params.links == ["l1"]
}

test_layer2_fails_without_a_soc_service_in_force if {
	ev := object.union(_evidence, {"soc_service": [["soc", 684, {"provider": "X", "expired": true}]]})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["2"].reason == "layer2_no_service"
}

test_layer2_is_unknown_for_a_separate_security_domain if {
	sys := object.union(_sys, {"instrumentable": false})
	l := _four_layers(_evidence, _telemetry, sys, "current")
	l["2"].status == "unknown"
}

test_layer2_without_required_sources_is_unknown if {
	tel := object.union(_telemetry, {"sources": []})
	l := _four_layers(_evidence, tel, _sys, "current")
	l["2"].reason == "no_sources"
}

# Alert handling: [high alerts, acknowledged, median hours to acknowledge, oldest open hours].
_handled_alerts := [12, 9, 1.5, 30]

test_layer2_shows_alert_handling_with_a_pass if {
	tel := object.union(_telemetry, {"alerts": _handled_alerts})
	l := _four_layers(_evidence, tel, _sys, "current")
	l["2"].status == "pass"
	l["2"].reason == "layer2_ok"
	l["2"].params == {"provider": "Công ty An ninh mạng Hải Vân", "alerts": [12, 9, 1.5, 30]}
}

test_layer2_alert_handling_never_turns_a_failure_into_a_pass if {
	tel := object.union(_telemetry, {"sources": [["nginx.access", 90000]], "alerts": [3, 3, 0.2, null]})
	l := _four_layers(_evidence, tel, _sys, "current")
	l["2"].status == "fail"
	l["2"].reason == "layer2_logs"
	l["2"].params.stale == ["nginx.access"]
	l["2"].params.alerts == [3, 3, 0.2, null]
}

test_layer2_unacknowledged_alerts_do_not_fail_it if {
	# Nothing acknowledged and a high alert open for 40 days: no deadline in law, still a pass.
	tel := object.union(_telemetry, {"alerts": [5, 0, null, 960]})
	l := _four_layers(_evidence, tel, _sys, "current")
	l["2"].status == "pass"
	l["2"].params.alerts == [5, 0, null, 960]
}

test_layer2_alert_handling_below_level_3_stays_not_applicable if {
	sys := {"system_type": "citizen_service", "approved_level": 2}
	tel := object.union(_telemetry, {"alerts": _handled_alerts})
	l := _four_layers(_evidence, tel, sys, "current")
	l["2"].status == "not_applicable"
	l["2"].params.alerts == [12, 9, 1.5, 30]
}

test_layer2_without_high_alerts_has_no_handling_figures if {
	l := _four_layers(_evidence, _telemetry, _sys, "current")
	not l["2"].params.alerts
	l["2"].params == {"provider": "Công ty An ninh mạng Hải Vân"}
}

test_layer3_fails_when_the_assessor_is_the_soc_provider if {
	same := [["audit", 245, {"assessor": " công ty an ninh mạng hải vân ", "details": {"scope": "system"}}]]
	ev := object.union(_evidence, {"assessment": same})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["3"].reason == "layer3_not_independent"
}

test_layer3_without_a_soc_service_compares_with_the_provider_the_assessment_names if {
	ev := object.union(object.remove(_evidence, ["soc_service"]), {"assessment": [["audit", 245, {"assessor": "A", "provider": " a ", "details": {"scope": "system"}}]]})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["3"].reason == "layer3_not_independent"
}

test_layer3_fails_after_the_level_period if {
	old := [["audit", 467, {"assessor": "Sơn Trà", "details": {"scope": "system"}}]]
	ev := object.union(_evidence, {"assessment": old})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["3"].reason == "layer3_outdated"
	l["3"].params.max_days == 365
}

test_layer3_period_is_six_months_at_level_5 if {
	sys := object.union(_sys, {"approved_level": 5})
	l := _four_layers(_evidence, _telemetry, sys, "current")
	l["3"].reason == "layer3_outdated"
	l["3"].params.max_days == 183
}

test_layer3_ignores_organisation_wide_assessments if {
	org := [["org", 143, {"assessor": "Sơn Trà", "details": {"scope": "organisation"}}]]
	ev := object.union(_evidence, {"assessment": org})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["3"].reason == "layer3_missing"
}

test_layer4_old_ncsc_connection_counts_only_in_the_legacy_profile if {
	ncsc := [["ncsc", 2363, {"details": {"target": "ncsc"}}]]
	ev := object.union(_evidence, {"national_connection": ncsc})
	legacy := _four_layers(ev, _telemetry, _sys, "legacy")
	current := _four_layers(ev, _telemetry, _sys, "current")
	legacy["4"].status == "pass"
	current["4"].reason == "layer4_wrong_target"
}

test_layer4_fails_without_a_recent_exchange if {
	stale := _four_layers(_evidence, object.union(_telemetry, {"exchange_age_days": 203}), _sys, "current")
	none := _four_layers(_evidence, object.remove(_telemetry, ["exchange_age_days"]), _sys, "current")
	stale["4"].reason == "layer4_stale"
	none["4"].reason == "layer4_no_exchange"
}

test_layer4_fails_without_a_connection_in_force if {
	ev := object.union(_evidence, {"national_connection": [["ncc", 66, {"expired": true, "details": {"target": "mps_ncc"}}]]})
	l := _four_layers(ev, _telemetry, _sys, "current")
	l["4"].reason == "layer4_no_connection"
}

test_layers_2_and_3_are_not_required_below_level_3 if {
	sys := object.union(_sys, {"approved_level": 2, "system_type": "internal", "information_types": ["private"]})
	l := _four_layers({}, {"window_hours": 24, "sources": [], "links": []}, sys, "current")
	l["2"].status == "not_applicable"
	l["3"].status == "not_applicable"
	l["1"].status == "fail"
}
