package lib.outcome_test

import rego.v1

import data.lib.outcome

test_outcome_carries_status_reason_and_params if {
	o := outcome.outcome("fail", "missing", {"kind": "ir_plan"})
	o.status == "fail"
	o.reason == "missing"
	o.params.kind == "ir_plan"
}

test_outcome_keeps_empty_params if {
	o := outcome.outcome("pass", "valid", {})
	count(o.params) == 0
	o.status != "fail"
}
