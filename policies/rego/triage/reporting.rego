# METADATA
# title: Must an incident be reported, and by when
# description: >-
#   Legacy profile (Decision 05/2017 Art. 9 and 11; Circular 20/2017 Art. 9): every incident is
#   notified within 5 days; a serious one (level 4–5 or national list, one of the five effects, owner
#   unable to cope) follows the emergency procedure at once. Current profile (Decree 331/2026
#   Art. 31.2.d; Law 116/2025 Art. 40.1.c): a report on cause, scope and remediation within 72 h,
#   an initial notice within 24 h when serious, at once with national-security signs. Personal-data
#   breaches: 72 h to the data-protection authority (Law 91/2025 Art. 23) once that law is in force.
package triage.reporting

import rego.v1

params := data.triage_params.reporting

_serious_effect(inc) if {
	some e in object.get(inc, "effects", [])
	e in params.serious_effects
}

_high_value(inc) if object.get(inc, "level", 0) >= 4

_high_value(inc) if inc.national_list == true

# METADATA
# title: Serious incident for the profile
serious(inc, profile) if {
	profile == "legacy"
	_high_value(inc)
	_serious_effect(inc)
	inc.owner_unable == true
}

# Decree 331 leaves "serious" undefined: read conservatively, any of the five effects makes it so.
serious(inc, profile) if {
	profile == "current"
	_serious_effect(inc)
}

_reportable(inc) if object.get(inc, "confirmed", true) == true

_applies(id, inc, profile) if {
	id == "notify_5d"
	profile == "legacy"
	_reportable(inc)
}

_applies(id, inc, profile) if {
	id == "emergency"
	_reportable(inc)
	serious(inc, profile)
}

_applies(id, inc, profile) if {
	id == "report_72h"
	profile == "current"
	_reportable(inc)
}

_applies(id, inc, profile) if {
	id == "initial_24h"
	profile == "current"
	_reportable(inc)
	serious(inc, profile)
}

_applies(id, inc, profile) if {
	id == "immediate"
	profile == "current"
	_reportable(inc)
	_signs_of_national_harm(inc)
}

_applies(id, inc, profile) if {
	id == "pdp_72h"
	_reportable(inc)
	inc.personal_data_breach == true
	time.parse_rfc3339_ns(inc.detected) >= params.personal_data_from_ns
}

_signs_of_national_harm(inc) if inc.national_security == true

_signs_of_national_harm(inc) if inc.serious_disruption == true

_profile_ok(id, profile) if id != "emergency"

_profile_ok(id, profile) if {
	id == "emergency"
	profile == "legacy"
}

# METADATA
# title: The deadlines an incident carries, soonest first
deadlines_for(inc, profile) := [d |
	some id in sort(object.keys(params.deadlines))
	_profile_ok(id, profile)
	_applies(id, inc, profile)
	spec := params.deadlines[id]
	d := {"id": id, "hours": spec.hours, "due_ns": time.parse_rfc3339_ns(inc.detected) + (spec.hours * 3600000000000)}
]

default must_report := false

must_report if count(deadlines_for(input.incident, input.profile)) > 0

default is_serious := false

is_serious if serious(input.incident, input.profile)

decision := {
	"must_report": must_report,
	"serious": is_serious,
	"deadlines": deadlines_for(input.incident, input.profile),
}
