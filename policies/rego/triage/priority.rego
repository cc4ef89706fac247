# METADATA
# title: Alert priority
# description: >-
#   P1–P4 from the rule's level, the security level and zone of the system the alert concerns and a
#   threat-intelligence match, with the points each factor gave so an analyst sees why. Weights and
#   thresholds are data (policies/catalog/triage.yaml).
package triage.priority

import rego.v1

w := data.triage_params.priority

_alert := input.alert

_system := object.get(input, "system", {})

_rule_level := object.get(_alert, "rule_level", "medium")

_level := format_int(object.get(_system, "level", 0), 10)

_zone := object.get(_system, "zone", "external")

default _ti := false

_ti := object.get(_alert, "ti_match", false)

_ti_points := w.threat_intel if _ti == true
else := 0

factors := [
	{"factor": "rule_level", "value": _rule_level, "points": object.get(w.rule_level, _rule_level, 30)},
	{"factor": "system_level", "value": _level, "points": object.get(w.system_level, _level, 0)},
	{"factor": "zone", "value": _zone, "points": object.get(w.zone, _zone, 0)},
	{"factor": "threat_intel", "value": _ti, "points": _ti_points},
]

score := sum([f.points | some f in factors])

priority := "P1" if score >= w.thresholds.P1
else := "P2" if score >= w.thresholds.P2
else := "P3" if score >= w.thresholds.P3
else := "P4"

decision := {"priority": priority, "score": score, "factors": factors}
