# METADATA
# title: Security-level classification
# description: >-
#   The level (cấp độ 1–5) a system should have from its declared attributes (Decree 85/2016
#   Art. 7–11; Decree 331/2026 Art. 11–15), the criteria that decided it, and whether the approved
#   level is lower. A system's level is the highest of the criteria it meets (Art. 5.2). The level
#   and profiles of each criterion id are data (policies/catalog/requirements.yaml).
package levels.classification

import rego.v1

sys := input.system

_types := object.get(sys, "information_types", [])

_harm := object.get(sys, "state_secret_harm", "none")

_citizen if sys.system_type == "citizen_service"

_infra(scopes) if {
	sys.system_type == "infrastructure"
	sys.infrastructure_scope in scopes
}

_ics(grades) if {
	sys.system_type == "ics"
	sys.ics_construction_grade in grades
}

_secret if "state_secret" in _types

_secret if _harm != "none"

_has(key) if object.get(sys, key, null) != null

# METADATA
# title: Criterion ids that hold for the system (any profile)
holds contains "CLS-1.1" if {
	sys.system_type == "internal"
	count(_types) > 0
	every t in _types {
		t == "public"
	}
}

holds contains "CLS-2.1" if {
	sys.system_type == "internal"
	some t in _types
	t in {"private", "personal"}
	not _secret
}

holds contains "CLS-2.2a" if {
	_citizen
	sys.online_public_service_level <= 2
}

holds contains "CLS-2.2b" if {
	_citizen
	not sys.conditional_business_line
}

holds contains "CLS-2.2c" if {
	_citizen
	sys.personal_data_users < 10000
}

holds contains "CLS-2.2d" if {
	_citizen
	_personal_data_declared
	object.get(sys, "personal_data_basic_subjects", 0) < 100000
	object.get(sys, "personal_data_sensitive_subjects", 0) < 10000
}

_personal_data_declared if _has("personal_data_basic_subjects")

_personal_data_declared if _has("personal_data_sensitive_subjects")

holds contains "CLS-2.3" if _infra({"single_org"})

holds contains "CLS-3.1" if _harm == "harm"

holds contains "CLS-3.2a" if {
	_citizen
	sys.online_public_service_level >= 3
}

holds contains "CLS-3.2b" if {
	_citizen
	sys.conditional_business_line == true
}

holds contains "CLS-3.2c" if {
	_citizen
	sys.personal_data_users >= 10000
}

holds contains "CLS-3.2d" if {
	_citizen
	sys.administrative_procedures == true
}

holds contains "CLS-3.2e" if {
	_citizen
	object.get(sys, "personal_data_basic_subjects", 0) >= 100000
}

holds contains "CLS-3.2e" if {
	_citizen
	object.get(sys, "personal_data_sensitive_subjects", 0) >= 10000
}

holds contains "CLS-3.3" if _infra({"sector", "province", "multi_province"})

holds contains "CLS-3.4" if _ics({"II", "III", "IV"})

holds contains "CLS-4.1" if _harm == "serious"

holds contains "CLS-4.2" if sys.national_egov_24x7 == true

holds contains "CLS-4.3" if {
	_infra({"national"})
	sys.ops_24x7 == true
}

holds contains "CLS-4.4" if _ics({"I"})

holds contains "CLS-5.1" if _harm == "especially_serious"

holds contains "CLS-5.2" if sys.national_important_data == true

holds contains "CLS-5.3" if _infra({"international_interconnect"})

holds contains "CLS-5.4" if _ics({"special"})

holds contains "CLS-5.4" if {
	sys.system_type == "ics"
	sys.national_security_works == true
}

holds contains "CLS-5.5" if sys.pm_designated == true

holds contains "CLS-R" if sys.risk_assessed_level >= 1

# METADATA
# title: The criteria of the evaluated profile that hold, with their levels
criteria := [{"id": id, "level": _level_of(id, c)} |
	some id in holds
	c := data.catalog.classification[id]
	input.profile in c.profiles
]

# Decree 331 Art. 10.5: a risk assessment showing more harm raises the level to what it found.
_level_of(id, c) := sys.risk_assessed_level if id == "CLS-R"

_level_of(id, c) := c.level if id != "CLS-R"

default level := 0

level := max([c.level | some c in criteria]) if count(criteria) > 0

deciding := sort([c.id | some c in criteria; c.level == level])

approved := object.get(sys, "approved_level", 0)

default approved_lower := false

approved_lower if {
	approved > 0
	level > approved
}

# METADATA
# title: The level requirements are judged against
# description: >-
#   The approved level raised to what the criteria give: an under-classified system does not escape
#   the requirements of its real level, and an operating system is at least at level 1.
effective_level := max([approved, level, 1])

result := {
	"level": level,
	"criteria": sort([c.id | some c in criteria]),
	"deciding": deciding,
	"approved": approved,
	"approved_lower": approved_lower,
	"effective_level": effective_level,
}
