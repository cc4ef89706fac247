package lib.slots_test

import rego.v1

import data.lib.slots

test_at_reads_the_element_at_a_variable_position if {
	arr := ["a", null, ["r", 3]]
	i := 2
	slots.at(arr, i) == ["r", 3]
	slots.at(arr, 0) == "a"
	slots.at(arr, 1) == null
}

test_at_is_null_past_the_end if {
	slots.at(["a"], 5) == null
}
