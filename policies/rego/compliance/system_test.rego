package compliance.system_test

import rego.v1

import data.compliance.system

# The positive cases of this entry point are the Python tests that evaluate the whole demo city
# (tests/policies/test_compliance.py): regopy cannot compile `with input…` over the full rule graph
# in reasonable memory, so here only what needs no input is checked.

test_nothing_is_decided_without_a_system if {
	not system.result
}
