# METADATA
# title: Directive 14/CT-TTg four-layer model
# description: >-
#   Layer 1 on-site force (designated unit, regulation, incident-response team); layer 2
#   professional monitoring, judged LIVE (the system's required log sources reach this SOC inside
#   the window, IDS sensors cover its Internet links, a SOC service is in force); layer 3 an
#   independent assessment within the level's period by someone other than the layer-2 provider;
#   layer 4 connection to the national centre (the target the profile accepts) and, LIVE, a
#   recent successful exchange from the state database's exchange record.
package four_layer.layers

import rego.v1

import data.levels.classification
import data.lib.outcome.outcome
import data.lib.telemetry

params := data.catalog.four_layer

_evidence(kind) := object.get(input.evidence, kind, [])

_in_force(r) if not r.expires

_in_force(r) if time.parse_rfc3339_ns(r.expires) >= telemetry.now_ns

_norm(name) := lower(trim_space(name))

# ---------------------------------------------------------------- layer 1

_layer1_missing := [k |
	some k in params.layer1_kinds
	not _on_file(k)
]

_on_file(kind) if {
	some r in _evidence(kind)
	_in_force(r)
}

layer1 := outcome("pass", "layer1_ok", {}) if {
	count(_layer1_missing) == 0
} else := outcome("fail", "layer1_missing", {"missing": _layer1_missing})

# ---------------------------------------------------------------- layer 2

_services := [r |
	some r in _evidence("soc_service")
	_in_force(r)
]

# METADATA
# title: The layer-2 provider (normalised), from the SOC service in force
provider := _norm(_services[0].provider) if {
	count(_services) > 0
	_services[0].provider
}

# Layers 2 and 3 are asked of level 3 and above (CV1552; Directive 14): below, they are optional.
_below_3 if classification.effective_level < 3

_optional := outcome("not_applicable", "layer_not_required", {"level": classification.effective_level})

layer2 := _optional if {
	_below_3
} else := outcome("unknown", "not_instrumentable", {}) if {
	not telemetry.instrumentable
} else := outcome("fail", "layer2_no_service", {}) if {
	count(_services) == 0
} else := outcome("unknown", "no_sources", {}) if {
	count(telemetry.log_sources) == 0
} else := outcome("fail", "layer2_logs", {"stale": telemetry.stale_sources, "window_hours": telemetry.window_hours}) if {
	count(telemetry.stale_sources) > 0
} else := outcome("fail", "layer2_ids", {"links": telemetry.uncovered_links}) if {
	count(telemetry.uncovered_links) > 0
} else := outcome("pass", "layer2_ok", {"provider": object.get(_services[0], "provider", "")})

# ---------------------------------------------------------------- layer 3

_assessments := [r |
	some r in _evidence("assessment")
	object.get(r, ["details", "scope"], "system") == "system"
]

_period_days := params.assessment_days[format_int(classification.effective_level, 10)]

# The provider to be independent of: the SOC service in force, else the one the assessment names.
_other_party(r) := provider

_other_party(r) := _norm(r.provider) if {
	not provider
	r.provider
}

_independent(r) if {
	r.assessor
	not _other_party(r)
}

_independent(r) if {
	r.assessor
	_norm(r.assessor) != _other_party(r)
}

layer3 := _optional if {
	_below_3
} else := outcome("fail", "layer3_missing", {}) if {
	count(_assessments) == 0
} else := outcome("fail", "layer3_outdated", {"age_days": age, "max_days": _period_days, "record": a.id}) if {
	a := _assessments[0]
	age := telemetry.age_days(a.issued)
	age > _period_days
} else := outcome("fail", "layer3_not_independent", {"assessor": object.get(a, "assessor", "?"), "record": a.id}) if {
	a := _assessments[0]
	not _independent(a)
} else := outcome("pass", "layer3_ok", {"assessor": a.assessor, "record": a.id}) if {
	a := _assessments[0]
}

# ---------------------------------------------------------------- layer 4

_connections := [r |
	some r in _evidence("national_connection")
	_in_force(r)
]

_targets := params.targets[input.profile]

_accepted := [r |
	some r in _connections
	object.get(r, ["details", "target"], "") in _targets
]

layer4 := outcome("fail", "layer4_no_connection", {}) if {
	count(_connections) == 0
} else := outcome("fail", "layer4_wrong_target", {"target": object.get(_connections[0], ["details", "target"], "?"), "expected": _targets}) if {
	count(_accepted) == 0
} else := outcome("fail", "layer4_no_exchange", {}) if {
	telemetry.exchange_age_days == null
} else := outcome("fail", "layer4_stale", {"age_days": telemetry.exchange_age_days, "max_days": params.exchange_max_days}) if {
	telemetry.exchange_age_days > params.exchange_max_days
} else := outcome("pass", "layer4_ok", {"target": _accepted[0].details.target, "age_days": telemetry.exchange_age_days})

# METADATA
# title: The four layers of one system
layers := {"1": layer1, "2": layer2, "3": layer3, "4": layer4}
