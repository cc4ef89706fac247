"""Roles and what each may do in the console; one table, checked by pages, callbacks and routes."""

from __future__ import annotations

from typing import Final

from soc.errors import AuthError

ROLES: Final = ("admin", "analyst", "auditor", "drill_leader")

_ALL = frozenset(ROLES)
_OPERATIONS = frozenset({"admin", "analyst", "drill_leader"})

# An auditor reads compliance, inventory, evidence and the audit log only; a drill leader watches
# the operational pages but does not change alerts (the trainees do). Only an administrator
# changes the inventory and the evidence.
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "overview.view": _OPERATIONS,
    "alerts.view": _OPERATIONS,
    "alerts.act": frozenset({"admin", "analyst"}),
    "events.view": _OPERATIONS,
    "compliance.view": _ALL,
    "systems.view": _ALL,
    "systems.edit": frozenset({"admin"}),
    "evidence.view": frozenset({"admin", "auditor", "analyst"}),
    "evidence.edit": frozenset({"admin"}),
    "audit.view": frozenset({"admin", "auditor"}),
}

# Component ids are prefixed with their page; the prefix says which permission a callback needs.
# ``shell`` is the frame around every page.
ID_PREFIX_PERMISSION: Final[dict[str, str | None]] = {
    "shell": None,
    "overview": "overview.view",
    "alerts": "alerts.view",
    "events": "events.view",
    "compliance": "compliance.view",
    "systems": "systems.view",
    "evidence": "evidence.view",
    "audit": "audit.view",
}


# Components whose callbacks change state need more than their page's view permission.
# Every editor and upload callback writes its ``-result`` line, so each is refused as a whole.
COMPONENT_PERMISSION: Final[dict[str, str]] = {
    "alerts-result": "alerts.act",
    "systems-sys-result": "systems.edit",
    "systems-agency-result": "systems.edit",
    "systems-upload-result": "systems.edit",
    "evidence-rec-result": "evidence.edit",
    "evidence-upload-result": "evidence.edit",
}


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    return role


def allowed(role: str | None, permission: str) -> bool:
    """True when ``role`` holds ``permission``; unknown permissions are refused (fail closed)."""
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def require(role: str | None, permission: str) -> None:
    if not allowed(role, permission):
        raise AuthError(f"role {role or 'anonymous'} may not {permission}")


def permission_for_component(component_id: str) -> str | None:
    """Permission a callback writing ``component_id`` needs; raises for ids of no known page."""
    if component_id in COMPONENT_PERMISSION:
        return COMPONENT_PERMISSION[component_id]
    if component_id.startswith("_pages_"):
        return None  # Dash's own router; the page layouts it renders check their permission
    prefix = component_id.split("-", 1)[0]
    if prefix not in ID_PREFIX_PERMISSION:
        raise AuthError(f"no page owns component {component_id!r}")
    return ID_PREFIX_PERMISSION[prefix]
