package triage.priority_test

import rego.v1

import data.triage.priority

_prioritise(alert, system) := d if {
	d := priority.decision with input.alert as alert with input.system as system
}

test_critical_rule_on_a_level_4_system_is_p1 if {
	d := _prioritise({"rule_level": "critical"}, {"level": 4, "zone": "party"})
	d.priority == "P1"
	d.score == 110
}

test_a_threat_intel_match_raises_the_priority if {
	plain := _prioritise({"rule_level": "high"}, {"level": 3, "zone": "egov"})
	matched := _prioritise({"rule_level": "high", "ti_match": true}, {"level": 3, "zone": "egov"})
	plain.priority == "P2"
	matched.priority == "P1"
	matched.score - plain.score == 20
}

test_low_rule_on_an_unknown_system_is_p4 if {
	d := _prioritise({"rule_level": "low"}, {})
	d.priority == "P4"
}

test_the_system_level_separates_the_same_rule if {
	l1 := _prioritise({"rule_level": "medium"}, {"level": 1, "zone": "man"})
	l5 := _prioritise({"rule_level": "medium"}, {"level": 5, "zone": "man"})
	l1.priority == "P3"
	l5.priority == "P2"
}

test_drills_in_the_lab_never_page if {
	d := _prioritise({"rule_level": "critical", "ti_match": true}, {"level": 5, "zone": "lab"})
	d.priority == "P4"
}

test_every_factor_is_explained if {
	d := _prioritise({"rule_level": "high", "ti_match": true}, {"level": 3, "zone": "datacenter"})
	[f.factor | some f in d.factors] == ["rule_level", "system_level", "zone", "threat_intel"]
	sum([f.points | some f in d.factors]) == d.score
}
