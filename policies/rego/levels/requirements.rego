# METADATA
# title: Requirements by security level
# description: >-
#   Judges every catalogue requirement of the evaluated profile that applies at the system's level
#   and is in force on the evaluation date (data.catalog.index, built from
#   policies/catalog/requirements.yaml). Each decision is [id, status, reason, params]: compact
#   because the embedded engine pays for every object it builds; the catalogue's messages render
#   it. The checks are pure functions of a facts object assembled once per system from the input,
#   so tests call them directly (regopy compiles `with input…` over this many rules very slowly).
package levels.requirements

import rego.v1

import data.four_layer.layers
import data.levels.classification
import data.lib.outcome.outcome
import data.lib.telemetry
import data.triage.reporting

# ---------------------------------------------------------------- glue: input → facts, once

# regopy copies every value a rule holds: the catalogue index and the evidence are read in place
# (never bound to a rule) and only small derived facts are gathered into one object.
_level_key := format_int(classification.effective_level, 10)

# METADATA
# title: What the checks read besides the declared evidence, computed once per system
facts := {
	"now_ns": telemetry.now_ns,
	"profile": input.profile,
	"system": input.system,
	"zones": object.get(input, ["network", "zones"], null),
	"classification": classification.result,
	"layers": layers.layers,
	"incidents": object.get(input, "incidents", []),
	"telemetry": {
		"instrumentable": telemetry.instrumentable,
		"log_sources": telemetry.log_sources,
		"stale": telemetry.stale_sources,
		"live": telemetry.live_sources,
		"window_hours": telemetry.window_hours,
		"links": telemetry.links,
		"uncovered": telemetry.uncovered_links,
		"held_days": telemetry.held_days,
		"store_days": telemetry.store_retention_days,
	},
}

# METADATA
# title: One decision per requirement in force at the system's level
# description: The facts builder always sends `evidence` and `controls` (empty when none).
decisions := [d |
	some r in data.catalog.index[input.profile][_level_key]
	r.from_ns <= facts.now_ns
	facts.now_ns <= r.to_ns
	d := decide(r, facts, records(r.check, input.evidence, input.controls), input.evidence)
]

# ---------------------------------------------------------------- pure from here on

# The same judgement as `decisions`, over given entries (tests use it without `with`).
judge_all(entries, f, ev, ctl) := [d |
	some r in entries
	r.from_ns <= f.now_ns
	f.now_ns <= r.to_ns
	d := decide(r, f, records(r.check, ev, ctl), ev)
]

# One check's outcome, as `decide` reaches it (tests call this).
check(c, f, ev, ctl) := {"status": d[1], "reason": d[2], "params": d[3]} if {
	d := decide({"id": "", "check": c}, f, records(c, ev, ctl), ev)
}

# The records are looked up by the caller and the evidence map is passed no deeper than needed:
# regopy copies a structure each time a function hands it on.
decide(r, f, recs, ev) := [r.id, "not_applicable", "not_applicable", {}] if {
	r.when
	not applies(r.when, f.system)
} else := _tuple(r.id, judge(r.check, recs[0], f.now_ns)) if {
	r.check.type == "evidence"
	count(recs) > 0
} else := _tuple(r.id, missing(r.check, f.now_ns)) if {
	r.check.type == "evidence"
} else := _tuple(r.id, _other(r.check, f, ev))

_tuple(id, o) := [id, o.status, o.reason, o.params]

applies(w, sys) if {
	every key in object.keys(w) {
		_condition(key, w[key], sys)
	}
}

_condition(key, types, sys) if {
	key == "system_types"
	sys.system_type in types
}

_condition(key, fs, sys) if {
	key == "functions_any"
	some fn in object.get(sys, "functions", [])
	fn in fs
}

_condition(key, want, sys) if {
	key in {"hosted_shared", "internet_facing"}
	object.get(sys, key, false) == want
}

_condition(key, want, sys) if {
	key == "state_secret"
	state_secret(sys) == want
}

_condition(key, n, sys) if {
	key == "personal_data_min"
	max([object.get(sys, "personal_data_users", 0), object.get(sys, "personal_data_basic_subjects", 0)]) >= n
}

state_secret(sys) := true if "state_secret" in object.get(sys, "information_types", [])
else := true if object.get(sys, "state_secret_harm", "none") != "none"
else := false

_other(c, f, ev) := evidence_all(c, f.now_ns, ev) if c.type == "evidence_all"
else := evidence_order(c, f.system, ev) if c.type == "evidence_order"
else := zones(c, f.zones) if c.type == "zones"
else := classification_check(f.classification) if c.type == "classification"
else := live_sources(f.telemetry) if c.type == "live_sources"
else := source_categories(c, f.telemetry, f.system) if c.type == "source_categories"
else := retention(c, f.telemetry) if c.type == "retention"
else := ids_coverage(f.telemetry) if c.type == "ids_coverage"
else := f.layers[format_int(c.layer, 10)] if c.type == "layer"
else := incident_reporting(c, f) if c.type == "incident_reporting"
else := outcome("unknown", "unknown_check", {"type": c.type})

# ---------------------------------------------------------------- declared evidence

records(c, ev, ctl) := [r |
	some name in c.controls
	r := ctl[name]
] if c.controls
else := [r |
	some r in object.get(ev, c.kind, [])
	_selected(r, c)
] if c.kind
else := []

_selected(r, c) if not c.select

_selected(r, c) if {
	c.select
	every k in object.keys(c.select) {
		object.get(object.get(r, "details", {}), k, null) == c.select[k]
	}
}

_what(c) := concat(" | ", c.controls) if c.controls
else := c.kind

_age(r, now_ns) := floor((now_ns - time.parse_rfc3339_ns(r.issued)) / telemetry.day_ns)

_expired(r, now_ns) if time.parse_rfc3339_ns(r.expires) < now_ns

missing(c, now_ns) := outcome("unknown", "missing_before_deadline", {"kind": _what(c), "deadline": c.deadline}) if {
	now_ns < c.deadline_ns
} else := outcome(c.missing, "missing", {"kind": _what(c)})

# METADATA
# title: Judge the newest matching record against the check
judge(c, r, now_ns) := outcome("pass", "valid", {"record": r.id}) if {
	# The common case first: an undated control in place, nothing more asked of it.
	not r.expires
	not c.max_age_days
	not c.includes
	not c.at_least
	not c.equals
	not r.state in {"planned", "absent"}
} else := outcome("fail", "not_in_place", {"state": r.state, "record": r.id}) if {
	r.state in {"planned", "absent"}
} else := outcome("fail", "expired", {"record": r.id}) if {
	r.expires
	_expired(r, now_ns)
} else := outcome("fail", "outdated", {"age_days": age, "max_age_days": c.max_age_days, "record": r.id}) if {
	c.max_age_days
	age := _age(r, now_ns)
	age > c.max_age_days
} else := outcome("fail", "incomplete", {"missing": missing, "record": r.id}) if {
	c.includes
	have := object.get(object.get(r, "details", {}), c.includes.field, [])
	missing := [v | some v in c.includes.values; not v in have]
	count(missing) > 0
} else := outcome("fail", "below_minimum", {"field": k, "value": v, "minimum": c.at_least[k]}) if {
	c.at_least
	some k in object.keys(c.at_least)
	v := object.get(object.get(r, "details", {}), k, 0)
	v < c.at_least[k]
} else := outcome("fail", "not_equal", {"field": k, "expected": c.equals[k], "record": r.id}) if {
	c.equals
	some k in object.keys(c.equals)
	object.get(object.get(r, "details", {}), k, null) != c.equals[k]
} else := outcome("pass", "valid", {"record": r.id})

evidence_all(c, now_ns, ev) := outcome(c.missing, "missing", {"kind": concat(", ", object.keys(c.kinds))}) if {
	every k in object.keys(c.kinds) {
		count(object.get(ev, k, [])) == 0
	}
} else := outcome("fail", "incomplete", {"missing": missing}) if {
	missing := [k |
		some k in object.keys(c.kinds)
		not _recent(object.get(ev, k, []), c.kinds[k], now_ns)
	]
	count(missing) > 0
} else := outcome("pass", "all_valid", {"kinds": concat(", ", object.keys(c.kinds))})

_recent(recs, max_days, now_ns) if {
	some r in recs
	not _expired(r, now_ns)
	_within(r, max_days, now_ns)
}

_within(r, max_days, now_ns) if max_days == null

_within(r, max_days, now_ns) if {
	is_number(max_days)
	_age(r, now_ns) <= max_days
}

# Was the first document (the oldest on file) in place before the other (the newest)?
evidence_order(c, sys, ev) := outcome("not_applicable", "no_go_live", {}) if {
	c.then == "go_live"
	not sys.go_live
} else := outcome("not_applicable", "live_before_rule", {"go_live": sys.go_live_on}) if {
	c.then == "go_live"
	time.parse_rfc3339_ns(sys.go_live) < c.since_ns
} else := outcome("unknown", "order_unknown", {"first": c.first, "then": c.then}) if {
	count(object.get(ev, c.first, [])) == 0
} else := outcome("unknown", "order_unknown", {"first": c.first, "then": c.then}) if {
	not _then(c.then, sys, ev)
} else := _ordered(c, _oldest(object.get(ev, c.first, [])), _then(c.then, sys, ev))

_oldest(recs) := recs[count(recs) - 1]

_then(then, sys, ev) := {"at": sys.go_live, "day": sys.go_live_on} if then == "go_live"

_then(then, sys, ev) := {"at": r.issued, "record": r.id} if {
	then != "go_live"
	r := object.get(ev, then, [])[0]
}

_ordered(c, first, then) := outcome(status, reason, {
	"first": c.first,
	"first_record": first.id,
	"then": c.then,
	"then_record": object.get(then, "record", null),
	"then_date": object.get(then, "day", null),
}) if {
	in_order := time.parse_rfc3339_ns(first.issued) <= time.parse_rfc3339_ns(then.at)
	status := {true: "pass", false: "fail"}[in_order]
	reason := {true: "order_ok", false: "order_wrong"}[in_order]
}

zones(c, present) := outcome("unknown", "missing", {"kind": "zones"}) if {
	present == null
} else := outcome("fail", "zones_missing", {"missing": missing}) if {
	c.required
	missing := [z | some z in c.required; not z in present]
	count(missing) > 0
} else := outcome("fail", "zones_too_few", {"count": count(present), "minimum": c.min_count}) if {
	c.min_count
	count(present) < c.min_count
} else := outcome("pass", "zones_ok", {"zones": present})

# ---------------------------------------------------------------- classification

classification_check(cls) := outcome("unknown", "level_unknown", {}) if {
	cls.level == 0
} else := outcome("fail", "level_unapproved", _cls_params(cls)) if {
	cls.approved == 0
} else := outcome("fail", "level_lower", _cls_params(cls)) if {
	cls.approved_lower
} else := outcome("pass", "level_ok", _cls_params(cls))

_cls_params(cls) := {"approved": cls.approved, "computed": cls.level, "criteria": cls.deciding}

# ---------------------------------------------------------------- live facts

live_sources(t) := outcome("unknown", "not_instrumentable", {}) if {
	not t.instrumentable
} else := outcome("unknown", "no_sources", {}) if {
	count(t.log_sources) == 0
} else := outcome("fail", "stale", {"stale": t.stale, "window_hours": t.window_hours}) if {
	count(t.stale) > 0
} else := outcome("pass", "live", {"count": count(t.log_sources), "window_hours": t.window_hours})

_wanted(c, sys) := [k |
	some k in c.categories
	_needs_category(k, sys)
]

_needs_category(k, sys) if k != "web"

_needs_category(k, sys) if {
	k == "web"
	"web" in object.get(sys, "functions", [])
}

_live_categories(live) := {k |
	some s in live
	some k in object.keys(data.catalog.source_categories)
	s in data.catalog.source_categories[k]
}

source_categories(c, t, sys) := outcome("unknown", "not_instrumentable", {}) if {
	not t.instrumentable
} else := outcome("fail", "categories_missing", {"missing": missing}) if {
	have := _live_categories(t.live)
	missing := [k | some k in _wanted(c, sys); not k in have]
	count(missing) > 0
} else := outcome("pass", "categories_ok", {"categories": _wanted(c, sys)})

retention(c, t) := outcome("unknown", "not_instrumentable", {}) if {
	not t.instrumentable
} else := outcome("unknown", "retention_unknown", {"min_days": c.min_days}) if {
	not is_number(t.held_days)
} else := outcome("pass", "retention_ok", {"held_days": t.held_days, "min_days": c.min_days}) if {
	t.held_days >= c.min_days
} else := outcome("fail", "retention_short", {"store_days": t.store_days, "min_days": c.min_days}) if {
	is_number(t.store_days)
	t.store_days < c.min_days
} else := outcome("unknown", "retention_building", {"held_days": t.held_days, "min_days": c.min_days})

ids_coverage(t) := outcome("unknown", "not_instrumentable", {}) if {
	not t.instrumentable
} else := outcome("not_applicable", "no_links", {}) if {
	count(t.links) == 0
} else := outcome("fail", "ids_gap", {"links": t.uncovered}) if {
	count(t.uncovered) > 0
} else := outcome("pass", "ids_ok", {"count": count(t.links)})

# ---------------------------------------------------------------- incident reporting

# Each deadline the reporting policy sets for an incident, among those this requirement covers.
_due(c, f) := [[inc, d] |
	some inc in f.incidents
	some d in reporting.deadlines_for(inc, f.profile)
	d.id in c.deadlines
]

_missed(inc, d, now_ns) if {
	not inc.reports[d.id]
	d.due_ns < now_ns
}

_missed(inc, d, now_ns) if time.parse_rfc3339_ns(inc.reports[d.id]) > d.due_ns

incident_reporting(c, f) := outcome("pass", "no_incidents", {}) if {
	count(_due(c, f)) == 0
} else := outcome("fail", "reports_late", {"late": late}) if {
	late := [concat(":", [p[0].id, p[1].id]) |
		some p in _due(c, f)
		_missed(p[0], p[1], f.now_ns)
	]
	count(late) > 0
} else := outcome("pass", "reports_on_time", {"count": count(_due(c, f))})
