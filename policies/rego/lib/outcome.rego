# METADATA
# title: Outcome helper
# description: >-
#   The one constructor of every judgement the policies return: a status (pass, fail,
#   not_applicable, unknown), a reason code that the catalogue's messages render in Vietnamese and
#   English, and the parameters (evidence used) that go into that message.
package lib.outcome

import rego.v1

# METADATA
# title: Build an outcome
outcome(status, reason, params) := {"status": status, "reason": reason, "params": params}
