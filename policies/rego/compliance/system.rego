# METADATA
# title: Compliance of one system
# description: >-
#   The one document the engines query per system: its classification, its four layers and one
#   decision per requirement in force at its level. Both regopy and an OPA server read this path.
package compliance.system

import rego.v1

import data.four_layer.layers
import data.levels.classification
import data.levels.requirements

result := {
	"classification": classification.result,
	"layers": layers.layers,
	"decisions": requirements.decisions,
}
