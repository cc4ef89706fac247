# METADATA
# title: Security-level classification
# description: >-
#   The level (cấp độ 1–5) a system should have from its declared attributes (Decree 85/2016
#   Art. 7–11; Decree 331/2026 Art. 11–15), the criteria that decided it, and whether the approved
#   level is lower. A system's level is the highest of the criteria it meets (Art. 5.2). The level
#   and profiles of each criterion id are data (policies/catalog/requirements.yaml; the plan lists
#   each profile's criteria in id order as data.catalog.criteria[profile]). Written as functions of
#   the system so one query classifies a whole batch, and for the embedded engine's costs
#   (docs/policies.md): defaults and equality through references and function heads.
package levels.classification

import rego.v1

_types(sys) := t if {
	t := sys.information_types
} else := []

_harm(sys) := h if {
	h := sys.state_secret_harm
} else := "none"

_secret(sys) if {
	some t in _types(sys)
	t == "state_secret"
}

_secret(sys) if not _harm(sys) == "none"

_has(sys, key) if {
	v := sys[key]
	not v == null
}

_count_of(sys, key) := n if {
	n := sys[key]
} else := 0

# METADATA
# title: Criterion ids that hold for the system (any profile)
holds(sys) := {id | some part in [_by_type(sys), _by_harm(sys), _general(sys)]; some id in part}

_by_type(sys) := _internal(sys) if sys.system_type == "internal"
else := {id | some id in _CITIZEN; _citizen(id, sys)} if sys.system_type == "citizen_service"
else := _infrastructure(sys) if sys.system_type == "infrastructure"
else := _ics(sys) if sys.system_type == "ics"
else := set()

_not_public(types) if {
	some t in types
	not t == "public"
}

_private_type("private")

_private_type("personal")

_internal(sys) := {"CLS-1.1"} if {
	types := _types(sys)
	types[0]
	not _not_public(types)
} else := {"CLS-2.1"} if {
	some t in _types(sys)
	_private_type(t)
	not _secret(sys)
} else := set()

_CITIZEN := ["CLS-2.2a", "CLS-2.2b", "CLS-2.2c", "CLS-2.2d", "CLS-3.2a", "CLS-3.2b", "CLS-3.2c", "CLS-3.2d", "CLS-3.2e"]

_citizen("CLS-2.2a", sys) if sys.online_public_service_level <= 2

_citizen("CLS-2.2b", sys) if not sys.conditional_business_line

_citizen("CLS-2.2c", sys) if sys.personal_data_users < 10000

_citizen("CLS-2.2d", sys) if {
	_personal_data_declared(sys)
	_count_of(sys, "personal_data_basic_subjects") < 100000
	_count_of(sys, "personal_data_sensitive_subjects") < 10000
}

_citizen("CLS-3.2a", sys) if sys.online_public_service_level >= 3

_citizen("CLS-3.2b", sys) if sys.conditional_business_line == true

_citizen("CLS-3.2c", sys) if sys.personal_data_users >= 10000

_citizen("CLS-3.2d", sys) if sys.administrative_procedures == true

_citizen("CLS-3.2e", sys) if _count_of(sys, "personal_data_basic_subjects") >= 100000

_citizen("CLS-3.2e", sys) if _count_of(sys, "personal_data_sensitive_subjects") >= 10000

_personal_data_declared(sys) if _has(sys, "personal_data_basic_subjects")

_personal_data_declared(sys) if _has(sys, "personal_data_sensitive_subjects")

# Infrastructure by the scope it serves; a national one operating 24/7 is level 4.
_SCOPE := {
	"single_org": "CLS-2.3",
	"sector": "CLS-3.3",
	"province": "CLS-3.3",
	"multi_province": "CLS-3.3",
	"international_interconnect": "CLS-5.3",
}

_infrastructure(sys) := {_SCOPE[sys.infrastructure_scope]} if {
	_SCOPE[sys.infrastructure_scope]
} else := {"CLS-4.3"} if {
	sys.infrastructure_scope == "national"
	sys.ops_24x7 == true
} else := set()

# Industrial control by the grade of the construction works it serves.
_GRADE := {"II": "CLS-3.4", "III": "CLS-3.4", "IV": "CLS-3.4", "I": "CLS-4.4", "special": "CLS-5.4"}

_ics(sys) := {_GRADE[sys.ics_construction_grade], "CLS-5.4"} if {
	sys.national_security_works == true
	_GRADE[sys.ics_construction_grade]
} else := {"CLS-5.4"} if {
	sys.national_security_works == true
} else := {_GRADE[sys.ics_construction_grade]} if {
	_GRADE[sys.ics_construction_grade]
} else := set()

_HARM := {"harm": "CLS-3.1", "serious": "CLS-4.1", "especially_serious": "CLS-5.1"}

_by_harm(sys) := {_HARM[_harm(sys)]} if _HARM[_harm(sys)]
else := set()

_general(sys) := {id |
	some id in ["CLS-4.2", "CLS-5.2", "CLS-5.5", "CLS-R"]
	_flag(id, sys)
}

_flag("CLS-4.2", sys) if sys.national_egov_24x7 == true

_flag("CLS-5.2", sys) if sys.national_important_data == true

_flag("CLS-5.5", sys) if sys.pm_designated == true

_flag("CLS-R", sys) if sys.risk_assessed_level >= 1

# Decree 331 Art. 10.5: a risk assessment showing more harm raises the level to what it found.
_level_of(c, sys) := sys.risk_assessed_level if c[0] == "CLS-R"
else := c[1]

# [id, level] of the criteria of the profile that hold, in id order.
_met(sys, profile) := [[c[0], lv] |
	some c in ordered
	held[c[0]]
	lv := _level_of(c, sys)
] if {
	# The table bound first: regopy 1.5 turns data.x[argument] into a scan of every key (with
	# the rest of the body repeated for each).
	tables := data.catalog.criteria
	ordered := tables[profile]
	held := holds(sys)
}

# METADATA
# title: The criteria of the profile that hold, in id order
criteria(sys, profile) := [c[0] | some c in _met(sys, profile)]

_highest(met) := max([c[1] | some c in met]) if met[0]
else := 0

_at(c, level) if c[1] == level

_approved(sys) := a if {
	a := sys.approved_level
} else := 0

# METADATA
# title: Classification of one system under a profile
# description: >-
#   effective_level is the approved level raised to what the criteria give: an under-classified
#   system does not escape the requirements of its real level, and an operating system is at
#   least at level 1.
assess(sys, profile) := _classification(met, _highest(met), _approved(sys)) if {
	met := _met(sys, profile)
}

_classification(met, level, approved) := {
	"level": level,
	"criteria": [c[0] | some c in met],
	"deciding": [c[0] | some c in met; _at(c, level)],
	"approved": approved,
	"approved_lower": _lower(approved, level),
	"effective_level": max([approved, level, 1]),
}

_lower(approved, level) := true if {
	level > approved
	approved > 0
} else := false

# The classification of the one system a query names (input.system under input.profile).
result := assess(input.system, input.profile)
