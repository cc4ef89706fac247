package lib.telemetry_test

import rego.v1

import data.lib.telemetry


test_a_source_inside_the_window_is_live if {
	sys := {"log_sources": ["nginx.access", "suricata.eve"]}
	tel := {"window_hours": 24, "sources": {"nginx.access": "2026-11-19T12:00:00+07:00", "suricata.eve": "2026-11-19T23:00:00+00:00"}}
	stale := telemetry.stale_sources with input.date as "2026-11-20T00:00:00+00:00" with input.system as sys with input.telemetry as tel
	count(stale) == 0
}

test_a_source_older_than_the_window_or_never_seen_is_stale if {
	sys := {"log_sources": ["nginx.access", "suricata.eve", "cisco.asa"]}
	tel := {"window_hours": 24, "sources": {"nginx.access": "2026-11-18T23:00:00+00:00", "suricata.eve": "2026-11-19T23:00:00+00:00"}}
	stale := telemetry.stale_sources with input.date as "2026-11-20T00:00:00+00:00" with input.system as sys with input.telemetry as tel
	stale == ["nginx.access", "cisco.asa"]
}

test_silent_or_missing_sensors_leave_links_uncovered if {
	tel := {"window_hours": 24, "links": [
		{"id": "a", "sensor": "ids-1", "last": "2026-11-19T20:00:00+00:00"},
		{"id": "b", "sensor": "ids-2", "last": "2026-11-10T20:00:00+00:00"},
		{"id": "c"},
	]}
	gaps := telemetry.uncovered_links with input.date as "2026-11-20T00:00:00+00:00" with input.system as {} with input.telemetry as tel
	gaps == ["b", "c"]
}

test_held_days_and_exchange_age_count_whole_days if {
	tel := {"oldest_event": "2026-08-22T00:00:00+00:00"}
	ex := {"last_ok": "2026-11-10T08:30:00+07:00"}
	held := telemetry.held_days with input.date as "2026-11-20T00:00:00+00:00" with input.telemetry as tel with input.exchanges as ex
	age := telemetry.exchange_age_days with input.date as "2026-11-20T00:00:00+00:00" with input.telemetry as tel with input.exchanges as ex
	held == 90
	age == 9
}
