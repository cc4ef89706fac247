package lib.telemetry_test

import rego.v1

import data.lib.telemetry

# Sources and sensors arrive as [name, seconds since the last event or null]; a 24-hour window.

test_a_source_inside_the_window_is_live if {
	t := {"window_hours": 24, "sources": [["nginx.access", 43200], ["suricata.eve", 86400]]}
	count(telemetry.stale_sources(t)) == 0
	telemetry.live_source_names(t) == ["nginx.access", "suricata.eve"]
}

test_a_source_older_than_the_window_or_never_seen_is_stale if {
	t := {"window_hours": 24, "sources": [["nginx.access", 86401], ["suricata.eve", 3600], ["cisco.asa", null]]}
	telemetry.stale_sources(t) == ["nginx.access", "cisco.asa"]
	telemetry.live_source_names(t) == ["suricata.eve"]
}

test_silent_or_missing_sensors_leave_links_uncovered if {
	t := {"window_hours": 24, "links": [["a", 14400], ["b", 792000], ["c", null]]}
	telemetry.uncovered_links(t) == ["b", "c"]
}

test_the_window_is_the_configured_one if {
	t := {"window_hours": 48, "sources": [["nginx.access", 100000]]}
	count(telemetry.stale_sources(t)) == 0
}

test_observed_sums_up_what_the_checks_read if {
	t := {
		"window_hours": 24, "sources": [["nginx.access", 60], ["cisco.asa", null]],
		"links": [["l1", 60]], "held_days": 90, "exchange_age_days": 9,
	}
	o := telemetry.observed({"instrumentable": false}, t)
	o.instrumentable == false
	o.source_count == 2
	o.stale == ["cisco.asa"]
	o.live == ["nginx.access"]
	o.link_count == 1
	o.uncovered == []
	o.held_days == 90
	o.store_days == null
	o.exchange_age_days == 9
	telemetry.observed({}, t).instrumentable == true
}

test_now_is_the_input_date if {
	n := telemetry.now_ns with input.date as "2026-11-20T00:00:00+00:00"
	n == 1795132800000000000
}
