# METADATA
# title: Live facts
# description: >-
#   What the SOC itself observes about a system, as the engine input carries it: each required log
#   source and each Internet link's IDS sensor as [name, seconds since its last event or null when
#   never seen], the days of events held and the days since the last exchange with the national
#   centre. Whether that is live, stale or long enough is decided here and by the checks.
#   Written for the embedded engine's costs (docs/policies.md): one comparison per source and
#   link, equality through function heads, no builtin where a reference will do.
package lib.telemetry

import rego.v1

# METADATA
# title: The evaluation moment of the query (one per batch)
now_ns := time.parse_rfc3339_ns(input.date)

# METADATA
# title: Did the source or sensor send an event inside the window (in seconds)?
fresh(silent_s, window_s) if {
	not silent_s == null
	silent_s <= window_s
}

_freshness(silent_s, window_s) := true if fresh(silent_s, window_s)
else := false

_is_fresh(true)

_is_silent(false)

# [name, fresh?] of each source or link: the one comparison each needs.
_freshness_of(pairs, window_s) := [[p[0], f] |
	some p in pairs
	f := _freshness(p[1], window_s)
]

_silent_names(judged) := [j[0] | some j in judged; _is_silent(j[1])]

_live_names(judged) := [j[0] | some j in judged; _is_fresh(j[1])]

# METADATA
# title: Required log sources without an event inside the window
stale_sources(t) := _silent_names(_freshness_of(t.sources, t.window_hours * 3600))

live_source_names(t) := _live_names(_freshness_of(t.sources, t.window_hours * 3600))

# METADATA
# title: Internet links whose IDS sensor is missing or silent inside the window
uncovered_links(t) := _silent_names(_freshness_of(t.links, t.window_hours * 3600))

# A fact the input leaves out when there is none.
_or_null(obj, key) := v if {
	v := obj[key]
} else := null

_instrumentable(sys) := false if sys.instrumentable == false
else := true

# METADATA
# title: What the checks read of a system's telemetry, worked out once per system
observed(sys, t) := _observed(sys, t, _freshness_of(t.sources, w), _freshness_of(t.links, w)) if {
	w := t.window_hours * 3600
}

_observed(sys, t, sources, links) := {
	"instrumentable": _instrumentable(sys),
	"source_count": count(t.sources),
	"stale": _silent_names(sources),
	"live": _live_names(sources),
	"window_hours": t.window_hours,
	"link_count": count(t.links),
	"uncovered": _silent_names(links),
	"held_days": _or_null(t, "held_days"),
	"store_days": _or_null(t, "store_days"),
	"exchange_age_days": _or_null(t, "exchange_age_days"),
}
