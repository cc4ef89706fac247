# METADATA
# title: Requirements by security level
# description: >-
#   Judges every catalogue requirement of the evaluated profile that applies at a system's level
#   and is in force on the evaluation date. The catalogue compiler (policies/plan.py) splits each
#   profile and level into periods between effective dates and groups the requirements by what
#   judging them needs; this policy picks the period for the date and the plan for the level, and
#   decides each requirement once. A decision is [id, status, reason, params] with params an
#   array of values in the order policies/policy_input.py names them for the reason (a layer
#   requirement passes on its layer's params object); the catalogue's messages render it.
#   Arrays rather than objects: the embedded engine builds, copies and serialises an object's
#   keys at every step, an array's elements cheaply. Functions of one system of the batch (`s`), whose controls and document
#   kinds sit at the slots of data.catalog.slots; a record is [id, age in days] or
#   [id, age, {expired, state, details, assessor, provider}] (absent facts: in place, in force).
#   Written for regopy 1.5's costs (see "What the embedded engine costs" in docs/policies.md):
#   every builtin call, comparisons and `==` inside a comprehension included, copies the
#   interpreter's frame, so emptiness is read from the first element, equality and membership go
#   through function heads and references, and a builtin is left only where a number is compared.
package levels.requirements

import rego.v1

import data.lib.telemetry
import data.triage.reporting

# METADATA
# title: The period of the effective dates the evaluation moment falls in
period(now_ns, profile) := count([b | some b in dates; b <= now_ns]) if {
	# Bound outside the comprehension: regopy 1.5 iterates every key when a function argument
	# indexes a reference inside one.
	dates := data.catalog.periods[profile]
}

_period := period(telemetry.now_ns, input.profile)

# METADATA
# title: Every requirement in force at the system's level, each decided once
# description: >-
#   After the classification and the layers, grouped as the plan groups them (the reader
#   flattens them). Each group is walked by a
#   function given no more than the group needs. Decisions are bound in the body (regopy 1.5
#   loses a function's arguments used only in a comprehension's head).
decisions(s, cls, layers, t) := plan(lp, s, cls, layers, t) if {
	lp := data.catalog.plan[input.profile][_period][cls.effective_level]
}

# A fact the input leaves out when there is none.
_or(obj, key, fallback) := v if {
	v := obj[key]
} else := fallback

# METADATA
# title: A system's answer — its classification, its layers, then the decisions by form
# description: >-
#   One array rather than an object of arrays: regopy 1.5 copies a value each time it is put
#   into an array or object, so every level of nesting copies all the decisions again. Tests call
#   this with a plan of their own.
plan(lp, s, cls, layers, t) := [
	cls,
	layers,
	_controls(lp, s.controls),
	_documents(lp, s.kinds),
	_evidence_checks(lp, s),
	_evidence_all(lp, s.kinds),
	_evidence_order(lp, s.system, s.kinds),
	_zones(lp, _or(s, "zones", null)),
	_reporting(lp, _or(s, "incidents", [])),
	_live_checks(lp, t),
	_retention(lp, t),
	_ids_checks(lp, t),
	_categories(lp, t, s.system),
	_layers(lp, layers),
	_classified(lp, cls),
	[d | some r in lp.when; d := conditional(r, s, cls, layers, t)],
]

_controls(lp, controls) := [d | some r in lp.control; d := present(r, controls[r[1]])]

_documents(lp, kinds) := [d | some r in lp.document; d := present(r, _newest(kinds[r[1]]))]

_evidence_checks(lp, s) := [d | some r in lp.evidence; d := evidence(r, _records(r, s))]

_evidence_all(lp, kinds) := [d | some r in lp.evidence_all; d := evidence_all(r, kinds)]

_evidence_order(lp, sys, kinds) := [d | some r in lp.evidence_order; d := evidence_order(r, sys, kinds)]

_zones(lp, present) := [d | some r in lp.zones; d := zones(r, present)]

_reporting(lp, incidents) := [d | some r in lp.incident_reporting; d := incident_reporting(r, incidents)]

_live_checks(lp, t) := [d | some r in lp.live_sources; d := live_sources(r, t)]

_retention(lp, t) := [d | some r in lp.retention; d := retention(r, t)]

_ids_checks(lp, t) := [d | some r in lp.ids_coverage; d := ids_coverage(r, t)]

_categories(lp, t, sys) := [d | some r in lp.source_categories; d := source_categories(r, t, sys)]

_layers(lp, layers) := [d |
	some r in lp.layer
	o := layers[r.layer]
	d := [r.id, o.status, o.reason, o.params]
]

_classified(lp, cls) := [d | some r in lp.classification; d := classification_check(r, cls)]

# Emptiness is read from the first record's id, never by comparing with null: regopy 1.5
# compares anything but numbers by serialising both sides.
_newest(recs) := rec if {
	rec := recs[0]
} else := null

# METADATA
# title: The decision of a requirement that concerns only some systems
# description: r is {id, when, form, entry}, the entry as its form's group holds it.
conditional(r, s, cls, layers, t) := [r.id, "not_applicable", "not_applicable", []] if {
	not applies(r.when, s.system)
} else := present(r.entry, s.controls[r.entry[1]]) if {
	r.form == "control"
} else := present(r.entry, _newest(s.kinds[r.entry[1]])) if {
	r.form == "document"
} else := _by_form(r.form, r.entry, s, cls, layers, t)

_by_form(form, r, s, cls, layers, t) := evidence(r, _records(r, s)) if form == "evidence"
else := retention(r, t) if form == "retention"
else := live_sources(r, t) if form == "live_sources"
else := ids_coverage(r, t) if form == "ids_coverage"
else := source_categories(r, t, s.system) if form == "source_categories"
else := evidence_all(r, s.kinds) if form == "evidence_all"
else := evidence_order(r, s.system, s.kinds) if form == "evidence_order"
else := zones(r, _or(s, "zones", null)) if form == "zones"
else := incident_reporting(r, _or(s, "incidents", [])) if form == "incident_reporting"
else := [r.id, o.status, o.reason, o.params] if {
	form == "layer"
	o := layers[r.layer]
} else := classification_check(r, cls) if form == "classification"
else := [r.id, "unknown", "unknown_check", [form]]

# ---------------------------------------------------------------- conditions on the system

applies(w, sys) if {
	every key, want in w {
		_condition(key, want, sys)
	}
}

_condition("system_types", types, sys) if {
	some t in types
	t == sys.system_type
}

_condition("functions_any", fs, sys) if {
	some fn in _or(sys, "functions", [])
	some f in fs
	fn == f
}

_condition("hosted_shared", want, sys) if _or(sys, "hosted_shared", false) == want

_condition("internet_facing", want, sys) if _or(sys, "internet_facing", false) == want

_condition("state_secret", want, sys) if state_secret(sys) == want

_condition("personal_data_min", n, sys) if _or(sys, "personal_data_users", 0) >= n

_condition("personal_data_min", n, sys) if _or(sys, "personal_data_basic_subjects", 0) >= n

_secret_type("state_secret")

state_secret(sys) := true if {
	some t in _or(sys, "information_types", [])
	_secret_type(t)
} else := true if {
	not _or(sys, "state_secret_harm", "none") == "none"
} else := false

# ---------------------------------------------------------------- declared evidence

_not_in_place("planned")

_not_in_place("absent")

# METADATA
# title: A plain control or document — the newest record, in place and not expired
# description: >-
#   r is [id, slot, missing status, control or kind] with, for a periodic document, its maximum
#   age in days as a fifth element; rec the record (null when none is on file). A missing record
#   is told first (one lookup, where it would otherwise fail every branch), then the common case,
#   a record with nothing more to say and no period asked. Values are read in the head: a
#   binding costs the engine two more statements.
present(r, rec) := [r[0], r[2], "missing", [r[3]]] if {
	not rec[0]
} else := [r[0], "pass", "valid", [rec[0]]] if {
	not rec[2]
	not r[4]
} else := [r[0], "fail", "not_in_place", [rec[2].state, rec[0]]] if {
	_not_in_place(rec[2].state)
} else := [r[0], "fail", "expired", [rec[0]]] if {
	rec[2].expired
} else := [r[0], "fail", "outdated", [rec[1], r[4], rec[0]]] if {
	rec[1] > r[4]
} else := [r[0], "pass", "valid", [rec[0]]]

# A detail of a record (the third element's details), or the fallback.
_detail(rec, key, fallback) := v if {
	v := rec[2].details[key]
} else := fallback


_contains(arr, x) if {
	some y in arr
	y == x
}

# The records a general evidence check looks at, newest first.
_records(r, s) := [rec |
	some slot in r.control_slots
	rec := s.controls[slot]
	rec[0]
] if r.control_slots
else := _kind_records(s.kinds[r.slot]) if not r.select
else := [rec |
	some rec in _kind_records(s.kinds[r.slot])
	_selected(rec, r.select)
]

_kind_records(recs) := recs if recs[0][0]
else := []

_has_records(recs) if recs[0][0]

_selected(rec, select) if {
	every k, want in select {
		_detail(rec, k, null) == want
	}
}

_what(r) := concat(" | ", r.controls) if r.controls
else := r.kind

# METADATA
# title: Any declared-evidence check, on its records (newest first)
evidence(r, recs) := judge_record(r, rec) if {
	rec := recs[0]
} else := [r.id, "unknown", "missing_before_deadline", [_what(r), r.deadline]] if {
	telemetry.now_ns < r.deadline_ns
} else := [r.id, r.missing, "missing", [_what(r)]]

# METADATA
# title: Judge the newest matching record against the check
judge_record(r, rec) := [r.id, "fail", "not_in_place", [state, rec[0]]] if {
	state := rec[2].state
	_not_in_place(state)
} else := [r.id, "fail", "expired", [rec[0]]] if {
	rec[2].expired
} else := [r.id, "fail", "outdated", [rec[1], r.max_age_days, rec[0]]] if {
	rec[1] > r.max_age_days
} else := [r.id, "fail", "incomplete", [missing, rec[0]]] if {
	r.includes
	have := _detail(rec, r.includes.field, [])
	missing := [v | some v in r.includes.values; not _contains(have, v)]
	missing[0]
} else := [r.id, "fail", "below_minimum", [k, v, minimum]] if {
	some k, minimum in r.at_least
	v := _detail(rec, k, 0)
	v < minimum
} else := [r.id, "fail", "not_equal", [k, expected, rec[0]]] if {
	some k, expected in r.equals
	not _detail(rec, k, null) == expected
} else := [r.id, "pass", "valid", [rec[0]]]

# r.parts: [kind, slot, max days or null] for each kind the check asks for; r.label names them.
evidence_all(r, kinds) := _all_judged(r, on_file, missing) if {
	on_file := [part | some part in r.parts; _has_records(kinds[part[1]])]
	missing := [part[0] | some part in r.parts; not _recent(_kind_records(kinds[part[1]]), part[2])]
}

_all_judged(r, on_file, missing) := [r.id, r.missing, "missing", [r.label]] if {
	not on_file[0]
} else := [r.id, "fail", "incomplete", [missing]] if {
	missing[0]
} else := [r.id, "pass", "all_valid", [r.label]]

_recent(recs, max_days) if {
	some rec in recs
	not rec[2].expired
	_within(rec, max_days)
}

_within(rec, max_days) if max_days == null

_within(rec, max_days) if {
	not max_days == null
	rec[1] <= max_days
}

# Was the first document (the oldest on file) in place before the other (the newest)? Documents
# are dated by day, so the older has the larger age in days.
evidence_order(r, sys, kinds) := [r.id, "not_applicable", "no_go_live", []] if {
	r.then == "go_live"
	not sys.go_live
} else := [r.id, "not_applicable", "live_before_rule", [sys.go_live_on]] if {
	r.then == "go_live"
	time.parse_rfc3339_ns(sys.go_live) < r.since_ns
} else := [r.id, "unknown", "order_unknown", [r.first, r.then]] if {
	not _has_records(kinds[r.first_slot])
} else := [r.id, "unknown", "order_unknown", [r.first, r.then]] if {
	not _then(r, sys, kinds)
} else := _ordered(r, _oldest(kinds[r.first_slot]), _then(r, sys, kinds))

_oldest(recs) := recs[count(recs) - 1]

_then(r, sys, kinds) := {"age": sys.go_live_age, "day": sys.go_live_on} if r.then == "go_live"

_then(r, sys, kinds) := {"age": rec[1], "record": rec[0]} if {
	not r.then == "go_live"
	rec := kinds[r.then_slot][0]
}

_ordered(r, first, then) := [r.id, status, reason, [
	r.first,
	first[0],
	r.then,
	_or(then, "record", null),
	_or(then, "day", null),
]] if {
	in_order := first[1] >= then.age
	status := {true: "pass", false: "fail"}[in_order]
	reason := {true: "order_ok", false: "order_wrong"}[in_order]
}

zones(r, present) := [r.id, "unknown", "missing", ["zones"]] if {
	present == null
} else := [r.id, "fail", "zones_missing", [missing]] if {
	r.required
	missing := [z | some z in r.required; not _contains(present, z)]
	missing[0]
} else := [r.id, "fail", "zones_too_few", [count(present), r.min_count]] if {
	r.min_count
	count(present) < r.min_count
} else := [r.id, "pass", "zones_ok", [[z | some z in present]]]

# ---------------------------------------------------------------- classification

classification_check(r, cls) := [r.id, "unknown", "level_unknown", []] if {
	cls.level == 0
} else := [r.id, "fail", "level_unapproved", _cls_params(cls)] if {
	cls.approved == 0
} else := [r.id, "fail", "level_lower", _cls_params(cls)] if {
	cls.approved_lower
} else := [r.id, "pass", "level_ok", _cls_params(cls)]

_cls_params(cls) := [cls.approved, cls.level, cls.deciding]

# ---------------------------------------------------------------- live facts

live_sources(r, t) := [r.id, "unknown", "not_instrumentable", []] if {
	not t.instrumentable
} else := [r.id, "unknown", "no_sources", []] if {
	t.source_count == 0
} else := [r.id, "fail", "stale", [t.stale, t.window_hours]] if {
	t.stale[0]
} else := [r.id, "pass", "live", [t.source_count, t.window_hours]]

_wanted(r, sys) := [k |
	some k in r.categories
	_needs_category(k, sys)
]

_needs_category(k, sys) if not k == "web"

_needs_category(k, sys) if {
	k == "web"
	_serves_web(sys)
}

_serves_web(sys) if {
	some fn in _or(sys, "functions", [])
	fn == "web"
}

# The categories (web, ids, firewall) of the sources that are live.
_live_categories(live) := {k |
	some s in live
	some k in by_source[s]
} if {
	by_source := data.catalog.source_category_of
}

source_categories(r, t, sys) := [r.id, "unknown", "not_instrumentable", []] if {
	not t.instrumentable
} else := [r.id, "fail", "categories_missing", [missing]] if {
	have := _live_categories(t.live)
	missing := [k | some k in _wanted(r, sys); not have[k]]
	missing[0]
} else := [r.id, "pass", "categories_ok", [_wanted(r, sys)]]

retention(r, t) := [r.id, "unknown", "not_instrumentable", []] if {
	not t.instrumentable
} else := [r.id, "unknown", "retention_unknown", [r.min_days]] if {
	t.held_days == null
} else := [r.id, "pass", "retention_ok", [t.held_days, r.min_days]] if {
	t.held_days >= r.min_days
} else := [r.id, "fail", "retention_short", [t.store_days, r.min_days]] if {
	not t.store_days == null
	t.store_days < r.min_days
} else := [r.id, "unknown", "retention_building", [t.held_days, r.min_days]]

ids_coverage(r, t) := [r.id, "unknown", "not_instrumentable", []] if {
	not t.instrumentable
} else := [r.id, "not_applicable", "no_links", []] if {
	t.link_count == 0
} else := [r.id, "fail", "ids_gap", [t.uncovered]] if {
	t.uncovered[0]
} else := [r.id, "pass", "ids_ok", [t.link_count]]

# ---------------------------------------------------------------- incident reporting

# Each deadline the reporting policy sets for an incident, among those this requirement covers.
_due(r, incidents, profile) := [[inc, d] |
	some inc in incidents
	some d in reporting.deadlines_for(inc, profile)
	d.id in r.deadlines
]

_missed(inc, d, now_ns) if {
	not inc.reports[d.id]
	d.due_ns < now_ns
}

_missed(inc, d, now_ns) if time.parse_rfc3339_ns(inc.reports[d.id]) > d.due_ns

# Without incidents nothing is due; otherwise the evaluation's profile and moment decide.
incident_reporting(r, incidents) := [r.id, "pass", "no_incidents", []] if {
	not incidents[0]
} else := reports_judged(r, incidents, input.profile, telemetry.now_ns)

# METADATA
# title: Were the incidents reported by the deadlines this requirement covers?
reports_judged(r, incidents, profile, now_ns) := [r.id, "pass", "no_incidents", []] if {
	count(_due(r, incidents, profile)) == 0
} else := [r.id, "fail", "reports_late", [late]] if {
	late := [concat(":", [p[0].id, p[1].id]) |
		some p in _due(r, incidents, profile)
		_missed(p[0], p[1], now_ns)
	]
	count(late) > 0
} else := [r.id, "pass", "reports_on_time", [count(_due(r, incidents, profile))]]
