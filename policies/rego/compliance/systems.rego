# METADATA
# title: Compliance of a batch of systems
# description: >-
#   The document the engines query: for each system of `input.systems` (all evaluated on
#   `input.date` under `input.profile`), its classification, its four layers and one decision per
#   requirement in force at its level. `encoded` is the same answer as one JSON text: the embedded
#   engine pays for every value of a query's output but little for one string. A batch built for
#   another input layout (`input.layout`, see policies/plan.py) gets no answer.
package compliance.systems

import rego.v1

import data.four_layer.layers
import data.levels.classification
import data.levels.requirements
import data.lib.telemetry

# METADATA
# title: One result per system, in input order
results := [system_result(s) | some s in input.systems] if input.layout == data.catalog.slots.key

encoded := concat("", ["[", concat(",", answers), "]"]) if {
	input.layout == data.catalog.slots.key
	answers := [a | some s in input.systems; a := json.marshal(system_result(s))]
}

# METADATA
# title: The compliance of one system of the batch
# description: >-
#   [classification, layers, decisions of each group of the plan...] (see requirements.plan).
system_result(s) := requirements.decisions(s, cls, lay, t) if {
	cls := classification.assess(s.system, input.profile)
	t := telemetry.observed(s.system, s.telemetry)
	lay := layers.four(s, cls.effective_level, input.profile, t)
}
