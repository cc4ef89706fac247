# METADATA
# title: Directive 14/CT-TTg four-layer model
# description: >-
#   Layer 1 on-site force (designated unit, regulation, incident-response team); layer 2
#   professional monitoring, judged LIVE (the system's required log sources reach this SOC inside
#   the window, IDS sensors cover its Internet links, a SOC service is in force); layer 3 an
#   independent assessment within the level's period by someone other than the layer-2 provider;
#   layer 4 connection to the national centre (the target the profile accepts) and, LIVE, a
#   recent successful exchange from the state database's exchange record. Layer 2 also carries,
#   as evidence only, how the system's high alerts were handled (no legal text sets a deadline
#   for acknowledging an alert, so the figures never decide its status). Functions of one
#   system of the batch (`s`), its effective level, the profile and its observed telemetry.
#   A document is [id, age in days] or [id, age, {expired, state, details, assessor, provider}].
#   Written for the embedded engine's costs (docs/policies.md): emptiness by the first element,
#   equality and membership through references and function heads.
package four_layer.layers

import rego.v1

import data.lib.outcome.outcome

# The documents on file in a slot, newest first (none when the slot is null). Slots are read
# through references (s.kinds[data.catalog.slots.layers.x]).
# (Emptiness from the first record's id: regopy 1.5 serialises both sides of a comparison.)
_filed(recs) := recs if recs[0][0]
else := []

# A fact only some documents carry (the third element of a document).
extra(rec, key, fallback) := v if {
	v := rec[2][key]
} else := fallback

_in_force(rec) if not rec[2].expired

_norm(name) := lower(trim_space(name))

# ---------------------------------------------------------------- layer 1

layer1(s) := _layer1(_layer1_missing(s))

_layer1(missing) := outcome("pass", "layer1_ok", {}) if {
	not missing[0]
} else := outcome("fail", "layer1_missing", {"missing": missing})

_layer1_missing(s) := [pair[0] |
	some pair in data.catalog.slots.layer1
	recs := s.kinds[pair[1]]
	not _on_file(recs)
]

_on_file(recs) if {
	some rec in _filed(recs)
	_in_force(rec)
}

# ---------------------------------------------------------------- layer 2

_services(s) := [rec |
	some rec in _filed(s.kinds[data.catalog.slots.layers.soc_service])
	_in_force(rec)
]

# METADATA
# title: The layer-2 provider (normalised), from the SOC service in force
provider(services) := _norm(services[0][2].provider)

# Layers 2 and 3 are asked of level 3 and above (CV1552; Directive 14): below, they are optional.
# Levels are whole numbers from 1 (the inventory refuses others).
_optional_at(1)

_optional_at(2)

_optional(level) := outcome("not_applicable", "layer_not_required", {"level": level})

layer2(level, services, t) := _optional(level) if {
	_optional_at(level)
} else := outcome("unknown", "not_instrumentable", {}) if {
	not t.instrumentable
} else := outcome("fail", "layer2_no_service", {}) if {
	not services[0]
} else := outcome("unknown", "no_sources", {}) if {
	t.source_count == 0
} else := outcome("fail", "layer2_logs", {"stale": t.stale, "window_hours": t.window_hours}) if {
	t.stale[0]
} else := outcome("fail", "layer2_ids", {"links": t.uncovered}) if {
	t.uncovered[0]
} else := outcome("pass", "layer2_ok", {"provider": extra(services[0], "provider", "")})

# METADATA
# title: Alert handling shown with the layer-2 result
# description: >-
#   The telemetry's [high alerts in the window, acknowledged, median hours to acknowledge, age in
#   hours of the oldest open high alert] (absent when there is none) added to the outcome's
#   parameters as `alerts`; the status and reason stay as layer2 decided them.
with_alert_handling(result, tel) := result if {
	not tel.alerts
} else := outcome(result.status, result.reason, object.union(result.params, {"alerts": figures})) if {
	# Copied through a comprehension: json.marshal refuses an array straight from the input.
	figures := [v | some v in tel.alerts]
}

# ---------------------------------------------------------------- layer 3

_scope(rec) := v if {
	v := rec[2].details.scope
} else := "system"

_of_system(rec) if _scope(rec) == "system"

_assessments(s) := [rec |
	some rec in _filed(s.kinds[data.catalog.slots.layers.assessment])
	_of_system(rec)
]

# The provider to be independent of: the SOC service in force, else the one the assessment
# names; null when there is none.
_other_party(rec, services) := p if {
	p := provider(services)
} else := p if {
	p := _norm(rec[2].provider)
} else := null

_independent(rec, other) if {
	rec[2].assessor
	other == null
}

_independent(rec, other) if {
	not other == null
	assessor := _norm(rec[2].assessor)
	not assessor == other
}

layer3(s, level, services) := _optional(level) if {
	_optional_at(level)
} else := _assessed(_assessments(s), periods[level], services) if {
	# Tables are bound before an argument indexes them (regopy 1.5 scans data.x[argument]).
	periods := data.catalog.assessment_days_by_level
}

_assessed(found, period, services) := outcome("fail", "layer3_missing", {}) if {
	not found[0]
} else := outcome("fail", "layer3_outdated", {"age_days": found[0][1], "max_days": period, "record": found[0][0]}) if {
	found[0][1] > period
} else := outcome("fail", "layer3_not_independent", {"assessor": extra(found[0], "assessor", "?"), "record": found[0][0]}) if {
	not _independent(found[0], _other_party(found[0], services))
} else := outcome("pass", "layer3_ok", {"assessor": found[0][2].assessor, "record": found[0][0]})

# ---------------------------------------------------------------- layer 4

_connections(s) := [rec |
	some rec in _filed(s.kinds[data.catalog.slots.layers.national_connection])
	_in_force(rec)
]

_target(rec, fallback) := v if {
	v := rec[2].details.target
} else := fallback

_to_accepted(accepted, rec) if accepted[_target(rec, "")]

layer4(s, profile, t) := _connected(_connections(s), profile, t.exchange_age_days)

_expected(profile) := targets[profile] if {
	targets := data.catalog.four_layer.targets
}

_connected(found, profile, age) := outcome("fail", "layer4_no_connection", {}) if {
	not found[0]
} else := outcome("fail", "layer4_wrong_target", {"target": _target(found[0], "?"), "expected": _expected(profile)}) if {
	not _accepted(found, profile)
} else := outcome("fail", "layer4_no_exchange", {}) if {
	age == null
} else := outcome("fail", "layer4_stale", {"age_days": age, "max_days": data.catalog.four_layer.exchange_max_days}) if {
	age > data.catalog.four_layer.exchange_max_days
} else := outcome("pass", "layer4_ok", {"target": _target(_accepted(found, profile), "?"), "age_days": age})

# The first connection (newest first) to a target the profile accepts.
_accepted(found, profile) := accepted[0] if {
	tables := data.catalog.accepted_targets
	targets := tables[profile]
	accepted := [rec |
		some rec in found
		_to_accepted(targets, rec)
	]
}

# METADATA
# title: The four layers of one system
four(s, level, profile, t) := _four(s, level, profile, t, _services(s))

_four(s, level, profile, t, services) := {
	"1": layer1(s),
	"2": with_alert_handling(layer2(level, services, t), s.telemetry),
	"3": layer3(s, level, services),
	"4": layer4(s, profile, t),
}
