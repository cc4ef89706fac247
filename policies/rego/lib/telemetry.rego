# METADATA
# title: Live facts
# description: >-
#   What the SOC itself observes about a system, as the engine input carries it: each required log
#   source and each Internet link's IDS sensor as [name, seconds since its last event or null when
#   never seen], the days of events held and the days since the last exchange with the national
#   centre. Whether that is live, stale or long enough is decided here and by the checks.
package lib.telemetry

import rego.v1

# METADATA
# title: The evaluation moment of the query (one per batch)
now_ns := time.parse_rfc3339_ns(input.date)

# METADATA
# title: Did the source or sensor send an event inside the window?
fresh(silent_s, window_hours) if {
	is_number(silent_s)
	silent_s <= window_hours * 3600
}

# METADATA
# title: Required log sources without an event inside the window
stale_sources(t) := [p[0] |
	some p in t.sources
	not fresh(p[1], t.window_hours)
]

live_source_names(t) := [p[0] |
	some p in t.sources
	fresh(p[1], t.window_hours)
]

# METADATA
# title: Internet links whose IDS sensor is missing or silent inside the window
uncovered_links(t) := [p[0] |
	some p in t.links
	not fresh(p[1], t.window_hours)
]

# METADATA
# title: What the checks read of a system's telemetry, worked out once per system
observed(sys, t) := {
	"instrumentable": object.get(sys, "instrumentable", true),
	"source_count": count(t.sources),
	"stale": stale_sources(t),
	"live": live_source_names(t),
	"window_hours": t.window_hours,
	"link_count": count(t.links),
	"uncovered": uncovered_links(t),
	"held_days": object.get(t, "held_days", null),
	"store_days": object.get(t, "store_days", null),
	"exchange_age_days": object.get(t, "exchange_age_days", null),
}
