# METADATA
# title: Live facts
# description: >-
#   What the SOC itself observes about a system, as the facts builder passes it in: the last event
#   per required log source, the oldest event held, IDS sensors on the Internet links and the last
#   exchange with the national centre. Times arrive as RFC 3339 with a numeric offset (regopy's
#   time.parse_rfc3339_ns refuses a trailing Z).
package lib.telemetry

import rego.v1

day_ns := 86400000000000

now_ns := time.parse_rfc3339_ns(input.date)

window_hours := object.get(input, ["telemetry", "window_hours"], 24)

window_ns := window_hours * 3600000000000

# METADATA
# title: Whole days between a time and the evaluation date
age_days(ts) := floor((now_ns - time.parse_rfc3339_ns(ts)) / day_ns)

default instrumentable := true

instrumentable := object.get(input.system, "instrumentable", true)

log_sources := object.get(input.system, "log_sources", [])

_last_seen := object.get(input, ["telemetry", "sources"], {})

# METADATA
# title: Required log sources without an event inside the window
stale_sources := [s |
	some s in log_sources
	not _fresh(object.get(_last_seen, s, null))
]

live_sources := [s |
	some s in log_sources
	_fresh(object.get(_last_seen, s, null))
]

_fresh(ts) if {
	is_string(ts)
	now_ns - time.parse_rfc3339_ns(ts) <= window_ns
}

links := object.get(input, ["telemetry", "links"], [])

# METADATA
# title: Internet links whose IDS sensor is missing or silent inside the window
uncovered_links := [l.id |
	some l in links
	not _fresh(object.get(l, "last", null))
]

oldest_event := object.get(input, ["telemetry", "oldest_event"], null)

default held_days := null

held_days := age_days(oldest_event) if is_string(oldest_event)

store_retention_days := object.get(input, ["telemetry", "store_retention_days"], null)

last_exchange := object.get(input, ["exchanges", "last_ok"], null)

default exchange_age_days := null

exchange_age_days := age_days(last_exchange) if is_string(last_exchange)
