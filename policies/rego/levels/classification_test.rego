package levels.classification_test

import rego.v1

import data.levels.classification

# Each criterion: one system that meets it and a near miss that does not.

_holds(sys) := classification.holds(sys)

_result(sys, profile) := classification.assess(sys, profile)

test_cls_1_1_internal_public_only if {
	"CLS-1.1" in _holds({"system_type": "internal", "information_types": ["public"]})
	not "CLS-1.1" in _holds({"system_type": "internal", "information_types": ["public", "private"]})
	not "CLS-1.1" in _holds({"system_type": "internal", "information_types": []})
}

test_cls_2_1_internal_private_without_secrets if {
	"CLS-2.1" in _holds({"system_type": "internal", "information_types": ["public", "personal"]})
	not "CLS-2.1" in _holds({"system_type": "internal", "information_types": ["private", "state_secret"]})
	not "CLS-2.1" in _holds({"system_type": "citizen_service", "information_types": ["private"]})
}

test_cls_2_2a_online_service_level_2_or_below if {
	"CLS-2.2a" in _holds({"system_type": "citizen_service", "online_public_service_level": 2})
	not "CLS-2.2a" in _holds({"system_type": "citizen_service", "online_public_service_level": 3})
}

test_cls_2_2b_online_service_outside_conditional_lines if {
	"CLS-2.2b" in _holds({"system_type": "citizen_service"})
	not "CLS-2.2b" in _holds({"system_type": "citizen_service", "conditional_business_line": true})
	not "CLS-2.2b" in _holds({"system_type": "internal"})
}

test_cls_2_2c_fewer_than_10000_users if {
	"CLS-2.2c" in _holds({"system_type": "citizen_service", "personal_data_users": 9999})
	not "CLS-2.2c" in _holds({"system_type": "citizen_service", "personal_data_users": 10000})
	not "CLS-2.2c" in _holds({"system_type": "citizen_service"})
}

test_cls_2_2d_small_personal_data_current_thresholds if {
	"CLS-2.2d" in _holds({"system_type": "citizen_service", "personal_data_basic_subjects": 99999})
	not "CLS-2.2d" in _holds({"system_type": "citizen_service", "personal_data_basic_subjects": 100000})
	not "CLS-2.2d" in _holds({"system_type": "citizen_service", "personal_data_basic_subjects": 10, "personal_data_sensitive_subjects": 10000})
	not "CLS-2.2d" in _holds({"system_type": "citizen_service"})
}

test_cls_2_3_infrastructure_for_one_organisation if {
	"CLS-2.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "single_org"})
	not "CLS-2.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "province"})
}

test_cls_3_1_state_secret_harm if {
	"CLS-3.1" in _holds({"system_type": "internal", "state_secret_harm": "harm"})
	not "CLS-3.1" in _holds({"system_type": "internal", "state_secret_harm": "none"})
}

test_cls_3_2a_online_service_level_3_or_above if {
	"CLS-3.2a" in _holds({"system_type": "citizen_service", "online_public_service_level": 3})
	not "CLS-3.2a" in _holds({"system_type": "citizen_service", "online_public_service_level": 2})
}

test_cls_3_2b_conditional_business_line if {
	"CLS-3.2b" in _holds({"system_type": "citizen_service", "conditional_business_line": true})
	not "CLS-3.2b" in _holds({"system_type": "citizen_service", "conditional_business_line": false})
}

test_cls_3_2c_10000_users_or_more if {
	"CLS-3.2c" in _holds({"system_type": "citizen_service", "personal_data_users": 10000})
	not "CLS-3.2c" in _holds({"system_type": "citizen_service", "personal_data_users": 9999})
}

test_cls_3_2d_administrative_procedures if {
	"CLS-3.2d" in _holds({"system_type": "citizen_service", "administrative_procedures": true})
	not "CLS-3.2d" in _holds({"system_type": "citizen_service", "administrative_procedures": false})
}

test_cls_3_2e_large_personal_data_current_thresholds if {
	"CLS-3.2e" in _holds({"system_type": "citizen_service", "personal_data_basic_subjects": 100000})
	"CLS-3.2e" in _holds({"system_type": "citizen_service", "personal_data_sensitive_subjects": 10000})
	not "CLS-3.2e" in _holds({"system_type": "citizen_service", "personal_data_basic_subjects": 99999, "personal_data_sensitive_subjects": 9999})
}

test_cls_3_3_shared_provincial_infrastructure if {
	"CLS-3.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "province"})
	"CLS-3.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "sector"})
	not "CLS-3.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "national"})
}

test_cls_3_4_ics_grades_2_to_4 if {
	"CLS-3.4" in _holds({"system_type": "ics", "ics_construction_grade": "II"})
	not "CLS-3.4" in _holds({"system_type": "ics", "ics_construction_grade": "I"})
}

test_cls_4_1_state_secret_serious_harm if {
	"CLS-4.1" in _holds({"system_type": "infrastructure", "state_secret_harm": "serious"})
	not "CLS-4.1" in _holds({"system_type": "infrastructure", "state_secret_harm": "harm"})
}

test_cls_4_2_national_egov_24x7 if {
	"CLS-4.2" in _holds({"system_type": "citizen_service", "national_egov_24x7": true})
	not "CLS-4.2" in _holds({"system_type": "citizen_service", "national_egov_24x7": false})
}

test_cls_4_3_national_infrastructure_24x7 if {
	"CLS-4.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "national", "ops_24x7": true})
	not "CLS-4.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "national"})
}

test_cls_4_4_ics_grade_1 if {
	"CLS-4.4" in _holds({"system_type": "ics", "ics_construction_grade": "I"})
	not "CLS-4.4" in _holds({"system_type": "ics", "ics_construction_grade": "II"})
}

test_cls_5_1_state_secret_especially_serious if {
	"CLS-5.1" in _holds({"system_type": "internal", "state_secret_harm": "especially_serious"})
	not "CLS-5.1" in _holds({"system_type": "internal", "state_secret_harm": "serious"})
}

test_cls_5_2_especially_important_national_data if {
	"CLS-5.2" in _holds({"system_type": "infrastructure", "national_important_data": true})
	not "CLS-5.2" in _holds({"system_type": "infrastructure"})
}

test_cls_5_3_international_interconnection if {
	"CLS-5.3" in _holds({"system_type": "infrastructure", "infrastructure_scope": "international_interconnect"})
	not "CLS-5.3" in _holds({"system_type": "ics", "infrastructure_scope": "international_interconnect"})
}

test_cls_5_4_ics_special_or_national_security_works if {
	"CLS-5.4" in _holds({"system_type": "ics", "ics_construction_grade": "special"})
	"CLS-5.4" in _holds({"system_type": "ics", "national_security_works": true})
	not "CLS-5.4" in _holds({"system_type": "ics", "ics_construction_grade": "I"})
}

test_cls_5_5_prime_minister_designation if {
	"CLS-5.5" in _holds({"system_type": "other", "pm_designated": true})
	not "CLS-5.5" in _holds({"system_type": "other"})
}

test_cls_r_risk_assessment_raises_the_level_in_the_current_profile_only if {
	sys := {"system_type": "internal", "information_types": ["private"], "risk_assessed_level": 4}
	cur := _result(sys, "current")
	leg := _result(sys, "legacy")
	cur.level == 4
	cur.deciding == ["CLS-R"]
	leg.level == 2
}

test_the_highest_criterion_decides_and_a_lower_approval_is_flagged if {
	sys := {
		"system_type": "citizen_service", "information_types": ["personal"], "approved_level": 2,
		"online_public_service_level": 4, "administrative_procedures": true,
		"personal_data_users": 120000, "personal_data_basic_subjects": 120000,
	}
	r := _result(sys, "current")
	r.level == 3
	r.deciding == ["CLS-3.2d", "CLS-3.2e"]
	r.approved_lower == true
	r.effective_level == 3
	legacy := _result(sys, "legacy")
	legacy.deciding == ["CLS-3.2a", "CLS-3.2c"]
}

test_an_approval_at_or_above_the_criteria_is_not_flagged if {
	sys := {"system_type": "internal", "information_types": ["private"], "approved_level": 3}
	r := _result(sys, "current")
	r.level == 2
	r.approved_lower == false
	r.effective_level == 3
}

test_no_criterion_gives_level_0_and_effective_level_1 if {
	r := _result({"system_type": "other"}, "current")
	r.level == 0
	count(r.criteria) == 0
	r.effective_level == 1
}

test_the_result_document_classifies_the_input_system if {
	r := classification.result with input.system as {"system_type": "internal", "information_types": ["public"]} with input.profile as "current"
	r.level == 1
	r.deciding == ["CLS-1.1"]
}
