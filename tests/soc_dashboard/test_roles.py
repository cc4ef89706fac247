"""The role table and how component ids map to permissions."""

from __future__ import annotations

import pytest

from soc.errors import AuthError
from soc_dashboard.roles import (
    PERMISSIONS,
    ROLES,
    allowed,
    check_role,
    permission_for_component,
    require,
)


def test_every_permission_names_only_known_roles() -> None:
    for roles in PERMISSIONS.values():
        assert roles <= set(ROLES)


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        ("analyst", "alerts.act", True),
        ("admin", "alerts.act", True),
        ("drill_leader", "alerts.view", True),
        ("drill_leader", "alerts.act", False),
        ("auditor", "compliance.view", True),
        ("auditor", "alerts.view", False),
        ("auditor", "audit.view", True),
        ("analyst", "audit.view", False),
        ("analyst", "no.such.permission", False),
        ("admin", "systems.edit", True),
        ("analyst", "systems.edit", False),
        ("auditor", "systems.edit", False),
        ("auditor", "evidence.view", True),
        ("analyst", "evidence.view", True),
        ("drill_leader", "evidence.view", False),
        ("admin", "evidence.edit", True),
        ("auditor", "evidence.edit", False),
        (None, "systems.view", False),
    ],
)
def test_allowed(role: str | None, permission: str, expected: bool) -> None:
    assert allowed(role, permission) is expected


def test_require_raises_for_refused_roles() -> None:
    require("analyst", "alerts.act")
    with pytest.raises(AuthError):
        require("auditor", "alerts.act")
    with pytest.raises(AuthError):
        check_role("root")


@pytest.mark.parametrize(
    ("component", "permission"),
    [
        ("alerts-table", "alerts.view"),
        ("alerts-result", "alerts.act"),
        ("compliance-results", "compliance.view"),
        ("systems-sys-result", "systems.edit"),
        ("systems-agency-result", "systems.edit"),
        ("systems-upload-result", "systems.edit"),
        ("systems-sys-f-name", "systems.view"),
        ("evidence-table", "evidence.view"),
        ("evidence-rec-result", "evidence.edit"),
        ("evidence-upload-result", "evidence.edit"),
        ("shell-nav", None),
        ("_pages_content", None),
    ],
)
def test_component_permissions(component: str, permission: str | None) -> None:
    assert permission_for_component(component) == permission


def test_components_of_no_page_are_refused() -> None:
    with pytest.raises(AuthError):
        permission_for_component("stranger-table")
