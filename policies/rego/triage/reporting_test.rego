package triage.reporting_test

import rego.v1

import data.triage.reporting

_inc := {"id": "INC-7", "detected": "2026-11-01T08:00:00+07:00", "confirmed": true, "level": 3, "effects": []}

_ids(inc, profile) := [d.id | some d in reporting.deadlines_for(inc, profile)]

test_legacy_every_confirmed_incident_is_notified_within_5_days if {
	ds := reporting.deadlines_for(_inc, "legacy")
	[d.id | some d in ds] == ["notify_5d"]
	ds[0].hours == 120
	ds[0].due_ns == time.parse_rfc3339_ns("2026-11-06T08:00:00+07:00")
}

test_an_unconfirmed_alert_needs_no_report if {
	inc := object.union(_inc, {"confirmed": false})
	count(_ids(inc, "legacy")) == 0
	count(_ids(inc, "current")) == 0
}

test_legacy_serious_needs_high_level_an_effect_and_an_owner_unable_to_cope if {
	serious := object.union(_inc, {"level": 4, "effects": ["loss_of_control"], "owner_unable": true})
	"emergency" in _ids(serious, "legacy")
	coping := object.union(serious, {"owner_unable": false})
	not "emergency" in _ids(coping, "legacy")
	low := object.union(serious, {"level": 3})
	not "emergency" in _ids(low, "legacy")
	listed := object.union(low, {"national_list": true})
	"emergency" in _ids(listed, "legacy")
}

test_current_every_incident_gets_the_72h_report_and_serious_ones_the_24h_notice if {
	_ids(_inc, "current") == ["report_72h"]
	serious := object.union(_inc, {"effects": ["service_interruption"]})
	_ids(serious, "current") == ["initial_24h", "report_72h"]
	not "emergency" in _ids(serious, "current")
}

test_current_signs_of_national_harm_mean_at_once if {
	inc := object.union(_inc, {"national_security": true})
	"immediate" in _ids(inc, "current")
	ds := reporting.deadlines_for(inc, "current")
	some d in ds
	d.id == "immediate"
	d.due_ns == time.parse_rfc3339_ns(_inc.detected)
	not "immediate" in _ids(inc, "legacy")
}

test_personal_data_breaches_72h_once_law_91_is_in_force if {
	breach := object.union(_inc, {"personal_data_breach": true})
	"pdp_72h" in _ids(breach, "current")
	"pdp_72h" in _ids(breach, "legacy")
	early := object.union(breach, {"detected": "2025-10-01T08:00:00+07:00"})
	not "pdp_72h" in _ids(early, "current")
}

test_decision_document if {
	d := reporting.decision with input.incident as object.union(_inc, {"effects": ["integrity_loss"]}) with input.profile as "current"
	d.must_report == true
	d.serious == true
	count(d.deadlines) == 2
	quiet := reporting.decision with input.incident as object.union(_inc, {"confirmed": false}) with input.profile as "current"
	quiet.must_report == false
}
