package sharing.outbound_test

import rego.v1

import data.sharing.outbound

_decide(report, addresses, policy) := d if {
	d := outbound.decision with input.report as report with input.addresses as addresses with input.policy as policy
}

_fields_of(d, key) := {x.field | some x in d[key]}

test_fields_outside_the_form_are_dropped if {
	report := {"kind": "statistics", "fields": {"period": "2026-10", "attacks_total": 120, "analyst_notes": "x"}}
	d := _decide(report, [], {})
	d.allowed == true
	_fields_of(d, "drop") == {"analyst_notes"}
}

test_personal_data_only_where_the_form_asks_for_it if {
	report := {"kind": "incident_report", "fields": {"contact_name": "Nguyễn Văn An", "victim_email": "a@b.vn", "incident_type": "defacement"}}
	d := _decide(report, [], {})
	_fields_of(d, "drop") == {"victim_email"}
	stats := {"kind": "statistics", "fields": {"contact_email": "soc@danang.gov.vn"}}
	_fields_of(_decide(stats, [], {}), "drop") == {"contact_email"}
}

test_internal_addresses_are_masked_unless_the_form_needs_them if {
	report := {"kind": "incident_report", "fields": {"ip": "10.10.20.11", "attacker_ip": "10.40.1.5"}}
	addresses := [
		{"field": "ip", "value": "10.10.20.11", "internal": true},
		{"field": "attacker_ip", "value": "10.40.1.5", "internal": true},
	]
	d := _decide(report, addresses, {})
	_fields_of(d, "mask") == {"attacker_ip"}
	count(d.drop) == 0
}

test_public_addresses_stay_and_policy_can_drop_internal_ones if {
	report := {"kind": "indicators", "fields": {"value": "10.10.20.11"}}
	internal := [{"field": "value", "value": "10.10.20.11", "internal": true}]
	dropped := _decide(report, internal, {"internal_addresses": "drop"})
	_fields_of(dropped, "drop") == {"value"}
	count(dropped.mask) == 0
	public := _decide(report, [{"field": "value", "value": "203.0.113.45", "internal": false}], {})
	count(public.mask) == 0
	count(public.drop) == 0
}

test_an_unknown_report_kind_is_refused if {
	d := _decide({"kind": "gossip", "fields": {"a": 1}}, [], {})
	d.allowed == false
	_fields_of(d, "drop") == {"a"}
}
