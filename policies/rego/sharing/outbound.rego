# METADATA
# title: What an outbound report may contain
# description: >-
#   For a report to the national centre (incident report, statistics, indicators): fields outside
#   the form are dropped; personal data only where the form itself asks for it; internal addresses
#   (found by the facts builder's CIDR check against the inventory) kept, masked or dropped per
#   policy, except where the form needs them (the affected system's address).
package sharing.outbound

import rego.v1

_kind := input.report.kind

_form := data.sharing_params.forms[_kind]

_fields := object.keys(object.get(input.report, "fields", {}))

_personal := {f | some f in data.sharing_params.personal_fields}

address_policy := object.get(input, ["policy", "internal_addresses"], data.sharing_params.internal_addresses)

default known_kind := false

known_kind if _form

# METADATA
# title: Fields removed, with the reason
drop contains {"field": f, "reason": "unknown_report_kind"} if {
	not known_kind
	some f in _fields
}

drop contains {"field": f, "reason": "not_in_form"} if {
	some f in _fields
	not f in _form.fields
}

drop contains {"field": f, "reason": "personal_data"} if {
	some f in _fields
	f in _form.fields
	f in _personal
	not f in _form.personal_required
}

drop contains {"field": a.field, "reason": "internal_address"} if {
	some a in object.get(input, "addresses", [])
	_address_action(a) == "drop"
}

_address_action(a) := "keep" if not a.internal
else := "keep" if a.field in _form.keep_internal
else := address_policy

_dropped contains d.field if some d in drop

# METADATA
# title: Internal addresses to mask in fields that stay
mask contains {"field": a.field, "value": a.value, "reason": "internal_address"} if {
	some a in object.get(input, "addresses", [])
	_address_action(a) == "mask"
	not a.field in _dropped
}

decision := {
	"allowed": known_kind,
	"drop": [d | some d in drop],
	"mask": [m | some m in mask],
}
