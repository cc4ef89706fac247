package four_layer.layers_test

import rego.v1

import data.four_layer.layers

_sys := {"system_type": "citizen_service", "approved_level": 3, "log_sources": ["nginx.access"]}

_rec(id, issued, extra) := object.union({"id": id, "title": id, "issued": issued, "issued_on": substring(issued, 0, 10), "details": {}}, extra)

_evidence := {
	"infosec_unit": [_rec("unit", "2025-08-15T00:00:00+07:00", {})],
	"security_regulation": [_rec("reg", "2023-03-01T00:00:00+07:00", {})],
	"ir_team": [_rec("team", "2025-09-10T00:00:00+07:00", {})],
	"soc_service": [_rec("soc", "2026-01-05T00:00:00+07:00", {"provider": "Công ty An ninh mạng Hải Vân", "expires": "2026-12-31T00:00:00+07:00"})],
	"assessment": [_rec("audit", "2026-03-20T00:00:00+07:00", {"assessor": "Công ty Kiểm định Sơn Trà", "details": {"scope": "system"}})],
	"national_connection": [_rec("ncc", "2026-09-15T00:00:00+07:00", {"details": {"target": "mps_ncc"}})],
}

_telemetry := {"window_hours": 24, "sources": {"nginx.access": "2026-11-19T22:00:00+00:00"}, "links": [{"id": "l1", "sensor": "ids-1", "last": "2026-11-19T22:00:00+00:00"}]}

_layers(evidence, telemetry, exchanges, sys, profile) := l if {
	l := layers.layers with input.date as "2026-11-20T00:00:00+00:00"
		with input.profile as profile
		with input.system as sys
		with input.evidence as evidence
		with input.telemetry as telemetry
		with input.exchanges as exchanges
}

_ok_exchange := {"last_ok": "2026-11-10T08:30:00+07:00"}

test_all_four_layers_pass_with_complete_evidence_and_live_facts if {
	l := _layers(_evidence, _telemetry, _ok_exchange, _sys, "current")
	every n in ["1", "2", "3", "4"] {
		l[n].status == "pass"
	}
}

test_layer1_fails_listing_each_missing_document if {
	ev := object.remove(_evidence, ["ir_team", "infosec_unit"])
	l := _layers(ev, _telemetry, _ok_exchange, _sys, "current")
	l["1"].status == "fail"
	l["1"].params.missing == ["infosec_unit", "ir_team"]
}

test_layer2_fails_when_a_required_source_stops if {
	tel := object.union(_telemetry, {"sources": {"nginx.access": "2026-11-18T20:00:00+00:00"}})
	l := _layers(_evidence, tel, _ok_exchange, _sys, "current")
	l["2"].status == "fail"
	l["2"].reason == "layer2_logs"
	l["2"].params.stale == ["nginx.access"]
}

test_layer2_fails_when_an_internet_link_has_no_live_sensor if {
	tel := object.union(_telemetry, {"links": [{"id": "l1", "sensor": "ids-1", "last": "2026-11-01T00:00:00+00:00"}]})
	l := _layers(_evidence, tel, _ok_exchange, _sys, "current")
	l["2"].reason == "layer2_ids"
	l["2"].params.links == ["l1"]
}

test_layer2_fails_without_a_soc_service_in_force if {
	expired := [_rec("soc", "2025-01-05T00:00:00+07:00", {"provider": "X", "expires": "2025-12-31T00:00:00+07:00"})]
	ev := object.union(_evidence, {"soc_service": expired})
	l := _layers(ev, _telemetry, _ok_exchange, _sys, "current")
	l["2"].reason == "layer2_no_service"
}

test_layer2_is_unknown_for_a_separate_security_domain if {
	sys := object.union(_sys, {"instrumentable": false})
	l := _layers(_evidence, _telemetry, _ok_exchange, sys, "current")
	l["2"].status == "unknown"
}

test_layer3_fails_when_the_assessor_is_the_soc_provider if {
	same := [_rec("audit", "2026-03-20T00:00:00+07:00", {"assessor": " công ty an ninh mạng hải vân ", "details": {"scope": "system"}})]
	ev := object.union(_evidence, {"assessment": same})
	l := _layers(ev, _telemetry, _ok_exchange, _sys, "current")
	l["3"].reason == "layer3_not_independent"
}

test_layer3_fails_after_the_level_period if {
	old := [_rec("audit", "2025-08-10T00:00:00+07:00", {"assessor": "Sơn Trà", "details": {"scope": "system"}})]
	ev := object.union(_evidence, {"assessment": old})
	l := _layers(ev, _telemetry, _ok_exchange, _sys, "current")
	l["3"].reason == "layer3_outdated"
	l["3"].params.max_days == 365
}

test_layer3_period_is_six_months_at_level_5 if {
	sys := object.union(_sys, {"approved_level": 5})
	l := _layers(_evidence, _telemetry, _ok_exchange, sys, "current")
	l["3"].reason == "layer3_outdated"
	l["3"].params.max_days == 183
}

test_layer3_ignores_organisation_wide_assessments if {
	org := [_rec("org", "2026-06-30T00:00:00+07:00", {"assessor": "Sơn Trà", "details": {"scope": "organisation"}})]
	ev := object.union(_evidence, {"assessment": org})
	l := _layers(ev, _telemetry, _ok_exchange, _sys, "current")
	l["3"].reason == "layer3_missing"
}

test_layer4_old_ncsc_connection_counts_only_in_the_legacy_profile if {
	ncsc := [_rec("ncsc", "2020-06-01T00:00:00+07:00", {"details": {"target": "ncsc"}})]
	ev := object.union(_evidence, {"national_connection": ncsc})
	legacy := _layers(ev, _telemetry, _ok_exchange, _sys, "legacy")
	current := _layers(ev, _telemetry, _ok_exchange, _sys, "current")
	legacy["4"].status == "pass"
	current["4"].reason == "layer4_wrong_target"
}

test_layer4_fails_without_a_recent_exchange if {
	stale := _layers(_evidence, _telemetry, {"last_ok": "2026-05-01T00:00:00+07:00"}, _sys, "current")
	none := _layers(_evidence, _telemetry, {}, _sys, "current")
	stale["4"].reason == "layer4_stale"
	none["4"].reason == "layer4_no_exchange"
}

test_layers_2_and_3_are_not_required_below_level_3 if {
	sys := object.union(_sys, {"approved_level": 2, "system_type": "internal", "information_types": ["private"]})
	l := _layers({}, {}, {}, sys, "current")
	l["2"].status == "not_applicable"
	l["3"].status == "not_applicable"
	l["1"].status == "fail"
}
