# METADATA
# title: Slots of the engine input
# description: >-
#   Each control and document kind the policies read has a fixed position in a system's input
#   (data.catalog.slots, built by policies/plan.py): regopy 1.5 finds an array element given by a
#   reference at once, but compares every element or key in turn when the position or key is a
#   variable. `at` reads a position held in a variable through array.slice, which goes straight to
#   it.
package lib.slots

import rego.v1

# METADATA
# title: The element of an array at a position held in a variable (null past the end)
at(arr, i) := x if {
	x := array.slice(arr, i, i + 1)[0]
} else := null
