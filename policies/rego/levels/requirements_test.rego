package levels.requirements_test

import rego.v1

import data.levels.requirements

# ---------------------------------------------------------------- fixtures

_now := "2026-11-20T00:00:00+00:00"

_rec(id, issued, details) := {"id": id, "title": id, "issued": issued, "issued_on": substring(issued, 0, 10), "details": details}

_fresh := "2026-11-18T00:00:00+07:00"

_ancient := "2016-01-01T00:00:00+07:00"

# Every level's index entries (each requirement once per level it applies at, both profiles).
_entries := [[profile, level, e] |
	some profile in ["legacy", "current"]
	some level in ["1", "2", "3", "4", "5"]
	some e in data.catalog.index[profile][level]
]

_of_type(t) := [x | some x in _entries; x[2].check.type == t]

# Details that satisfy whatever the check asks of a record (select, equals, includes, at_least).
_details(c) := object.union_n([
	object.get(c, "select", {}),
	object.get(c, "equals", {}),
	_includes(c),
	object.get(c, "at_least", {}),
])

_includes(c) := {c.includes.field: c.includes.values} if c.includes
else := {}

_evidence_input(c, issued) := {"controls": {c.controls[0]: object.union(_rec("e", issued, _details(c)), {"state": "in_place"})}, "evidence": {}} if c.controls
else := {"controls": {}, "evidence": {c.kind: [_rec("e", issued, _details(c))]}}

_now_ns := time.parse_rfc3339_ns(_now)

_base := {
	"now_ns": _now_ns,
	"profile": "current",
	"system": {"system_type": "citizen_service", "approved_level": 3, "functions": ["web"]},
	"evidence": {},
	"controls": {},
	"zones": null,
	"classification": {"level": 3, "approved": 3, "approved_lower": false, "deciding": ["CLS-3.2d"], "effective_level": 3},
	"layers": {"1": {"status": "fail", "reason": "layer1_missing", "params": {}}, "2": {"status": "fail", "reason": "layer2_no_service", "params": {}}, "3": {"status": "fail", "reason": "layer3_missing", "params": {}}, "4": {"status": "fail", "reason": "layer4_no_connection", "params": {}}},
	"incidents": [],
	"telemetry": {
		"instrumentable": true, "log_sources": ["nginx.access", "suricata.eve", "cisco.asa"],
		"stale": [], "live": ["nginx.access", "suricata.eve", "cisco.asa"], "window_hours": 24,
		"links": [], "uncovered": [], "held_days": null, "store_days": null,
	},
}

# Facts for one check: the base, the profile, then whatever the case changes. The system and
# telemetry parts are merged one level down by hand: regopy's object.union is shallow (OPA's is not).
_facts(profile, overrides) := object.union_n([_base, overrides, {
	"profile": profile,
	"system": object.union(_base.system, object.get(overrides, "system", {})),
	"telemetry": object.union(_base.telemetry, object.get(overrides, "telemetry", {})),
}])

_check(c, profile, level, overrides) := requirements.check(
	c,
	_facts(profile, overrides),
	object.get(overrides, "evidence", {}),
	object.get(overrides, "controls", {}),
)

# ---------------------------------------------------------------- every evidence requirement

_evidence_pass_offenders := [e[2].id |
	some e in _of_type("evidence")
	o := _check(e[2].check, e[0], e[1], _evidence_input(e[2].check, _fresh))
	o.status != "pass"
]

test_every_evidence_requirement_passes_with_fresh_complete_evidence_offenders := _evidence_pass_offenders

test_every_evidence_requirement_passes_with_fresh_complete_evidence if {
	count(_of_type("evidence")) > 20
	count(_evidence_pass_offenders) == 0
}

_evidence_missing_offenders := [e[2].id |
	some e in _of_type("evidence")
	o := _check(e[2].check, e[0], e[1], {})
	o.status == "pass"
]

test_every_evidence_requirement_without_evidence_is_not_a_pass_offenders := _evidence_missing_offenders

test_every_evidence_requirement_without_evidence_is_not_a_pass if {
	count(_evidence_missing_offenders) == 0
}

_evidence_old_offenders := [e[2].id |
	some e in _of_type("evidence")
	e[2].check.max_age_days
	o := _check(e[2].check, e[0], e[1], _evidence_input(e[2].check, _ancient))
	o.status != "fail"
]

test_every_periodic_requirement_fails_on_outdated_evidence_offenders := _evidence_old_offenders

test_every_periodic_requirement_fails_on_outdated_evidence if {
	count(_evidence_old_offenders) == 0
}

_control_absent_offenders := [e[2].id |
	some e in _of_type("evidence")
	c := e[2].check
	c.controls
	facts := {"controls": {c.controls[0]: object.union(_rec("e", _fresh, {}), {"state": "planned"})}}
	o := _check(c, e[0], e[1], facts)
	o.status != "fail"
]

test_every_control_requirement_fails_when_the_control_is_only_planned_offenders := _control_absent_offenders

test_every_control_requirement_fails_when_the_control_is_only_planned if {
	count(_control_absent_offenders) == 0
}

test_missing_evidence_status_follows_the_catalogue if {
	dossier := _check({"type": "evidence", "kind": "level_dossier", "missing": "fail"}, "current", "3", {})
	scan := _check({"type": "evidence", "kind": "vulnerability_scan", "missing": "unknown"}, "current", "3", {})
	dossier.status == "fail"
	scan.status == "unknown"
}

test_expired_evidence_fails if {
	rec := object.union(_rec("plan", "2025-02-20T00:00:00+07:00", {}), {"expires": "2025-12-31T00:00:00+07:00", "expires_on": "2025-12-31"})
	o := _check({"type": "evidence", "kind": "ir_plan", "missing": "fail"}, "current", "3", {"evidence": {"ir_plan": [rec]}})
	o.reason == "expired"
}

test_a_deadline_turns_missing_into_unknown_until_it_passes if {
	c := {"type": "evidence", "kind": "law116_conformity", "missing": "fail", "deadline": "2027-07-01", "deadline_ns": 1814400000000000000}
	before := _check(c, "current", "3", {})
	before.status == "unknown"
	after := requirements.check(c, object.union(_base, {"now_ns": time.parse_rfc3339_ns("2027-08-01T00:00:00+00:00")}), {}, {})
	after.status == "fail"
}

test_a_budget_below_the_minimum_fails if {
	c := {"type": "evidence", "kind": "budget", "missing": "unknown", "at_least": {"ratio": 0.15}}
	low := _check(c, "current", "3", {"evidence": {"budget": [_rec("b", _fresh, {"ratio": 0.12})]}})
	low.reason == "below_minimum"
	low.params.value == 0.12
}

test_an_incomplete_dossier_names_the_missing_components if {
	c := {"type": "evidence", "kind": "level_dossier", "missing": "unknown", "includes": {"field": "components", "values": ["overview", "design"]}}
	o := _check(c, "current", "3", {"evidence": {"level_dossier": [_rec("d", _fresh, {"components": ["overview"]})]}})
	o.reason == "incomplete"
	o.params.missing == ["design"]
}

test_select_picks_only_matching_records if {
	c := {"type": "evidence", "kind": "assessment", "missing": "fail", "select": {"scope": "organisation"}, "max_age_days": 730}
	facts := {"evidence": {"assessment": [_rec("sys", _fresh, {"scope": "system"})]}}
	o := _check(c, "legacy", "3", facts)
	o.status == "fail"
	o.reason == "missing"
}

# ---------------------------------------------------------------- evidence_all and evidence_order

test_evidence_all_passes_when_each_kind_is_current if {
	c := {"type": "evidence_all", "kinds": {"training": 400, "drill": 400}, "missing": "unknown"}
	facts := {"evidence": {"training": [_rec("t", _fresh, {})], "drill": [_rec("d", _fresh, {})]}}
	_check(c, "current", "3", facts).status == "pass"
}

test_evidence_all_fails_naming_the_kind_that_is_old_or_missing if {
	c := {"type": "evidence_all", "kinds": {"training": 400, "drill": 400}, "missing": "unknown"}
	facts := {"evidence": {"training": [_rec("t", _fresh, {})], "drill": [_rec("d", "2024-12-12T00:00:00+07:00", {})]}}
	o := _check(c, "current", "3", facts)
	o.status == "fail"
	o.params.missing == ["drill"]
	_check(c, "current", "3", {}).status == "unknown"
}

test_regulation_before_dossier_passes_and_after_fails if {
	c := {"type": "evidence_order", "first": "security_regulation", "then": "level_dossier"}
	reg := [_rec("reg", "2023-03-01T00:00:00+07:00", {})]
	ok := {"evidence": {"security_regulation": reg, "level_dossier": [_rec("d", "2023-05-12T00:00:00+07:00", {})]}}
	late := {"evidence": {"security_regulation": reg, "level_dossier": [_rec("d", "2021-10-05T00:00:00+07:00", {})]}}
	_check(c, "current", "3", ok).status == "pass"
	_check(c, "current", "3", late).status == "fail"
	_check(c, "current", "3", {}).status == "unknown"
}

test_plan_before_go_live_and_not_applicable_without_go_live if {
	c := {"type": "evidence_order", "first": "plan_deployment", "then": "go_live"}
	plan := {"plan_deployment": [_rec("p", "2024-06-10T00:00:00+07:00", {})]}
	ok := {"evidence": plan, "system": {"go_live": "2024-07-01T00:00:00+07:00", "go_live_on": "2024-07-01"}}
	early := {"evidence": plan, "system": {"go_live": "2024-01-01T00:00:00+07:00", "go_live_on": "2024-01-01"}}
	_check(c, "current", "3", ok).status == "pass"
	_check(c, "current", "3", early).status == "fail"
	_check(c, "current", "3", {"evidence": plan}).status == "not_applicable"
}

test_systems_live_before_the_rule_are_not_judged_on_it if {
	c := {"type": "evidence_order", "first": "plan_deployment", "then": "go_live", "since_ns": time.parse_rfc3339_ns("2022-10-01T00:00:00+00:00")}
	plan := {"plan_deployment": [_rec("p", "2025-03-01T00:00:00+07:00", {})]}
	old := {"evidence": plan, "system": {"go_live": "2013-06-01T00:00:00+07:00", "go_live_on": "2013-06-01"}}
	new := {"evidence": plan, "system": {"go_live": "2024-01-01T00:00:00+07:00", "go_live_on": "2024-01-01"}}
	_check(c, "current", "3", old).reason == "live_before_rule"
	_check(c, "current", "3", new).status == "fail"
}

# ---------------------------------------------------------------- zones

_zones_offenders := [e[2].id |
	some e in _of_type("zones")
	c := e[2].check
	all := ["internal", "perimeter", "dmz", "internal_servers", "db_servers", "management", "device_management"]
	good := _check(c, e[0], e[1], {"zones": all})
	bad := _check(c, e[0], e[1], {"zones": ["internal"]})
	not _pass_fail(good, bad)
]

_pass_fail(good, bad) if {
	good.status == "pass"
	bad.status == "fail"
}

test_every_zone_requirement_passes_with_all_zones_and_fails_with_one_offenders := _zones_offenders

test_every_zone_requirement_passes_with_all_zones_and_fails_with_one if {
	count(_of_type("zones")) > 0
	count(_zones_offenders) == 0
}

# ---------------------------------------------------------------- classification

test_classification_requirement_follows_the_approved_level if {
	c := {"type": "classification"}
	cls := {"level": 3, "approved": 3, "approved_lower": false, "deciding": ["CLS-3.2d"]}
	ok := _check(c, "current", "3", {"classification": cls})
	low := _check(c, "current", "3", {"classification": object.union(cls, {"approved": 2, "approved_lower": true})})
	none := _check(c, "current", "3", {"classification": object.union(cls, {"approved": 0})})
	unknown := _check(c, "current", "3", {"classification": object.union(cls, {"level": 0})})
	ok.status == "pass"
	low.reason == "level_lower"
	none.reason == "level_unapproved"
	unknown.status == "unknown"
}

# ---------------------------------------------------------------- live facts

_live := {"telemetry": {"held_days": 700, "links": [{"id": "l1"}], "uncovered": []}}

_stopped := {"telemetry": {
	"stale": ["nginx.access", "cisco.asa"], "live": ["suricata.eve"],
	"held_days": 19, "store_days": 14, "links": [{"id": "l1"}], "uncovered": ["l1"],
}}

_live_offenders := [e[2].id |
	some e in _entries
	e[2].check.type in {"live_sources", "source_categories", "retention", "ids_coverage"}
	not _pass_fail(_check(e[2].check, e[0], e[1], _live), _check(e[2].check, e[0], e[1], _stopped))
]

test_every_live_requirement_passes_on_live_facts_and_fails_when_they_stop_offenders := _live_offenders

test_every_live_requirement_passes_on_live_facts_and_fails_when_they_stop if {
	count(_live_offenders) == 0
}

test_stale_sources_are_named if {
	o := _check({"type": "live_sources"}, "current", "3", _stopped)
	o.params.stale == ["nginx.access", "cisco.asa"]
}

test_live_requirements_are_unknown_for_an_uninstrumentable_system if {
	facts := object.union(_stopped, {"telemetry": {"instrumentable": false}})
	every t in ["live_sources", "source_categories", "ids_coverage"] {
		_check({"type": t, "categories": ["ids"]}, "current", "3", facts).status == "unknown"
	}
}

test_short_history_with_no_store_limit_is_unknown_not_fail if {
	facts := {"telemetry": {"held_days": 19}}
	o := _check({"type": "retention", "min_days": 90}, "current", "3", facts)
	o.status == "unknown"
	o.reason == "retention_building"
}

test_source_categories_ask_for_web_logs_only_from_web_systems if {
	facts := object.union(_live, {"system": {"functions": ["network"]}, "telemetry": {"live": ["suricata.eve", "cisco.asa"]}})
	o := _check({"type": "source_categories", "categories": ["web", "ids", "firewall"]}, "legacy", "3", facts)
	o.status == "pass"
	o.params.categories == ["ids", "firewall"]
}

test_no_internet_link_is_not_applicable if {
	o := _check({"type": "ids_coverage"}, "current", "3", {})
	o.status == "not_applicable"
}

# ---------------------------------------------------------------- layers

test_layer_requirements_return_the_layer_outcome if {
	every e in _of_type("layer") {
		o := _check(e[2].check, e[0], e[1], {})
		o.status == "fail"
	}
}

# ---------------------------------------------------------------- incident reporting

_incident(reports) := {
	"id": "INC-1", "detected": "2026-11-01T08:00:00+07:00", "confirmed": true, "level": 3,
	"effects": ["service_interruption"], "national_security": true, "personal_data_breach": true,
	"owner_unable": true, "reports": reports,
}

_all_reports := {
	"notify_5d": "2026-11-02T08:00:00+07:00",
	"immediate": "2026-11-01T08:00:00+07:00",
	"initial_24h": "2026-11-01T20:00:00+07:00",
	"report_72h": "2026-11-03T08:00:00+07:00",
	"pdp_72h": "2026-11-03T08:00:00+07:00",
}

_reporting_offenders := [e[2].id |
	some e in _of_type("incident_reporting")
	c := e[2].check
	on_time := _check(c, e[0], e[1], {"incidents": [_incident(_all_reports)]})
	never := _check(c, e[0], e[1], {"incidents": [_incident({})]})
	quiet := _check(c, e[0], e[1], {"incidents": []})
	not _reporting_ok(on_time, never, quiet)
]

_reporting_ok(on_time, never, quiet) if {
	on_time.status == "pass"
	never.status == "fail"
	quiet.reason == "no_incidents"
}

test_every_reporting_requirement_passes_on_time_and_fails_when_never_sent_offenders := _reporting_offenders

test_every_reporting_requirement_passes_on_time_and_fails_when_never_sent if {
	count({e[2].id | some e in _of_type("incident_reporting")}) == 3
	count(_reporting_offenders) == 0
}

test_a_report_sent_after_the_deadline_is_late if {
	late := object.union(_all_reports, {"report_72h": "2026-11-05T08:00:00+07:00"})
	o := _check({"type": "incident_reporting", "deadlines": ["report_72h"]}, "current", "3", {"incidents": [_incident(late)]})
	o.params.late == ["INC-1:report_72h"]
}

# ---------------------------------------------------------------- decisions

_decision(id, decisions) := d if {
	some d in decisions
	d[0] == id
}

test_judge_all_respects_when_and_effective_dates if {
	entries := data.catalog.index.current["3"]
	sys := {"system_type": "internal", "information_types": ["private"], "hosted_shared": false, "functions": ["email"]}
	before := requirements.judge_all(entries, object.union(_facts("current", {"system": sys}), {"now_ns": time.parse_rfc3339_ns("2026-08-01T00:00:00+00:00")}), {}, {})
	after := requirements.judge_all(entries, _facts("current", {"system": sys}), {}, {})
	not _decision("GOV-14c", before)
	_decision("GOV-14c", after)[1] == "not_applicable"
	_decision("NET-04c", after)[1] == "not_applicable"
	_decision("CLS-01", after)[1] == "pass"
	count(after) == count(entries)
}

test_when_conditions if {
	requirements.applies({"system_types": ["citizen_service"], "functions_any": ["web", "email"]}, {"system_type": "citizen_service", "functions": ["email"]})
	not requirements.applies({"system_types": ["citizen_service"]}, {"system_type": "internal"})
	requirements.applies({"state_secret": true}, {"information_types": ["state_secret"]})
	requirements.applies({"state_secret": false}, {"information_types": ["private"]})
	requirements.applies({"personal_data_min": 10000}, {"personal_data_basic_subjects": 12000})
	not requirements.applies({"personal_data_min": 10000}, {"personal_data_users": 9000})
	requirements.applies({"hosted_shared": true, "internet_facing": false}, {"hosted_shared": true})
}
