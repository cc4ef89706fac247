package compliance.systems_test

import rego.v1

import data.compliance.systems

# The whole-city positives are the Python tests that evaluate the demo inventory
# (tests/policies/test_compliance.py); here, what a batch answers without and with a system.

test_nothing_is_decided_without_systems if {
	not systems.results
}

test_an_empty_batch_has_no_results if {
	layout := data.catalog.slots.key
	systems.results == [] with input.systems as [] with input.profile as "current" with input.layout as layout
}

test_a_batch_built_for_another_layout_gets_no_answer if {
	not systems.results with input.systems as [] with input.profile as "current" with input.layout as "another"
}
