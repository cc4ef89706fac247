"""E-government audit events (portal, one-stop-shop, documents, mail, LGSP, SSO) → ECS ``egov.*``.

The format is documented in docs/egov-audit-format.md; this module is its validator and mapper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from collectors.addresses import client_ip
from collectors.base import Parser, RawRecord
from collectors.envelope import iso_timestamp, new_event, to_int
from collectors.suricata_eve import load_json_object
from soc.ecs import Event, event_id, set_field
from soc.errors import ParseError

SCHEMA = "egov-audit/1"
MAX_TEXT = 4096
_APP = re.compile(r"[a-z][a-z0-9_-]{1,31}")
_UTC_OFFSET = re.compile(r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)\Z")  # after the time of day
_DATASETS = {
    "portal": "egov.portal",
    "one-stop": "egov.one_stop",
    "docs": "egov.document",
    "mail": "egov.mail",
    "lgsp": "egov.lgsp",
    "sso": "egov.sso",
}
# action → (category, type); unknown actions are kept with category "web".
ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("authentication", "start"),
    "login_failed": ("authentication", "start"),
    "logout": ("authentication", "end"),
    "password_change": ("iam", "change"),
    "password_reset": ("iam", "change"),
    "mfa_challenge": ("authentication", "info"),
    "account_create": ("iam", "creation"),
    "account_disable": ("iam", "change"),
    "account_delete": ("iam", "deletion"),
    "privilege_change": ("iam", "change"),
    "role_grant": ("iam", "change"),
    "export": ("database", "access"),
    "bulk_download": ("file", "access"),
    "api_call": ("web", "access"),
    "record_view": ("database", "access"),
    "record_update": ("database", "change"),
    "record_delete": ("database", "deletion"),
    "file_upload": ("file", "creation"),
    "file_download": ("file", "access"),
    "mail_send": ("email", "info"),
    "mail_forward_external": ("email", "info"),
    "payment": ("web", "info"),
    "config_change": ("configuration", "change"),
}


def _text(doc: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = doc.get(key)
    if value is None:
        if required:
            raise ParseError(f"egov audit event without {key!r}")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ParseError(f"egov audit field {key!r} must be text")
    text = str(value)
    if len(text) > MAX_TEXT:
        raise ParseError(f"egov audit field {key!r} longer than {MAX_TEXT} characters")
    return text


def _object(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParseError(f"egov audit field {key!r} must be an object")
    return value


def _number(doc: Mapping[str, Any], key: str, where: str) -> int | None:
    """A whole number ≥ 0 (a JSON number, or text of digits); anything else is refused."""
    value = doc.get(key)
    if value is None:
        return None
    number = to_int(value)
    if number is None or number < 0:
        raise ParseError(
            f"egov audit field {where!r} must be a whole number, got {str(value)[:40]!r}"
        )
    return number


def _address(doc: Mapping[str, Any], key: str, where: str) -> str | None:
    """An IP address in its canonical text; anything else is refused."""
    text = _text(doc, key)
    if text is None:
        return None
    address = client_ip(text)
    if address is None:
        raise ParseError(f"egov audit field {where!r} must be an IP address, got {text[:40]!r}")
    return address


def _time(doc: Mapping[str, Any]) -> str:
    """``time``: ISO 8601 with a UTC offset (a time without one would be read as UTC, 7 hours
    off for an application in Việt Nam), as ``@timestamp``."""
    text = _text(doc, "time", required=True) or ""
    stamp = iso_timestamp(text, "invalid time (ISO 8601 with an offset)")
    _, separator, clock = text.upper().partition("T")
    if not separator:  # RFC 3339 allows a space between date and time
        _, separator, clock = text.partition(" ")
    if not separator or not _UTC_OFFSET.search(clock):
        raise ParseError(
            f"invalid time (ISO 8601 with an offset): no UTC offset (+07:00 or Z) in {text[:40]!r}"
        )
    return stamp


def _put(event: Event, dotted: str, value: Any) -> None:
    if value not in (None, "", []):
        set_field(event, dotted, value)


def validate_head(doc: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The required fields: time, app, action, outcome (checked, normalised)."""
    schema = doc.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise ParseError(f"unsupported egov audit schema {str(schema)[:40]!r}, expected {SCHEMA}")
    app = _text(doc, "app", required=True) or ""
    if not _APP.fullmatch(app):
        raise ParseError(f"invalid app name {app[:40]!r} (lower-case letters, digits, - or _)")
    action = _text(doc, "action", required=True) or ""
    if not _APP.fullmatch(action):
        raise ParseError(f"invalid action {action[:40]!r}")
    outcome = _text(doc, "outcome", required=True)
    if outcome not in ("success", "failure", "unknown"):
        raise ParseError("outcome must be success, failure or unknown")
    stamp = _time(doc)
    return stamp, app, action, outcome


def _map_parties(event: Event, doc: Mapping[str, Any]) -> None:
    actor, client, target = _object(doc, "actor"), _object(doc, "client"), _object(doc, "target")
    _put(event, "user.id", _text(actor, "id"))
    _put(event, "user.name", _text(actor, "name"))
    roles = actor.get("roles")
    if isinstance(roles, list):
        _put(event, "user.roles", [str(r)[:128] for r in roles[:32]])
    _put(event, "egov.actor.type", _text(actor, "type"))
    _put(event, "egov.actor.agency", _text(actor, "agency"))
    _put(event, "source.ip", _address(client, "ip", "client.ip"))
    _put(event, "source.port", _number(client, "port", "client.port"))
    _put(event, "user_agent.original", _text(client, "user_agent"))
    _put(event, "egov.client_id", _text(client, "id"))
    for key in ("type", "id", "name", "owner_agency"):
        _put(event, f"egov.target.{key}", _text(target, key))
    if target.get("type") == "user":
        _put(event, "user.target.id", _text(target, "id"))
        _put(event, "user.target.name", _text(target, "name"))


def _map_details(event: Event, doc: Mapping[str, Any]) -> None:
    request = _object(doc, "request")
    _put(event, "http.request.method", _text(request, "method"))
    _put(event, "url.path", _text(request, "path"))
    _put(event, "http.response.status_code", _number(request, "status", "request.status"))
    _put(event, "http.response.bytes", _number(request, "bytes", "request.bytes"))
    duration = request.get("duration_ms")
    if (
        isinstance(duration, int | float)
        and not isinstance(duration, bool)
        and 0 <= duration < 1e12
    ):
        event["event"]["duration"] = int(duration * 1_000_000)
    privilege, export, api = _object(doc, "privilege"), _object(doc, "export"), _object(doc, "api")
    _put(event, "egov.privilege.from", _text(privilege, "from"))
    _put(event, "egov.privilege.to", _text(privilege, "to"))
    _put(event, "egov.export.records", _number(export, "records", "export.records"))
    _put(event, "egov.export.format", _text(export, "format"))
    for key in ("service", "operation", "client_id"):
        _put(event, f"egov.api.{key}", _text(api, key))
    _put(event, "egov.api.records", _number(api, "records", "api.records"))
    if api.get("client_id"):
        _put(event, "egov.client_id", _text(api, "client_id"))
    _put(event, "egov.session_id", _text(doc, "session_id"))
    _put(event, "url.domain", _text(doc, "app_instance"))
    _put(event, "event.reason", _text(doc, "reason"))
    _put(event, "message", _text(doc, "message"))


class EgovAuditParser(Parser):
    """One audit event (JSON object) → one ECS event of dataset ``egov.<app>``."""

    NAME = "egov-json"
    DATASET = "egov"

    def matches(self, record: RawRecord) -> bool:
        return record.data.lstrip()[:1] == b"{"

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text, doc = load_json_object(record, "egov audit event")
        stamp, app, action, outcome = validate_head(doc)
        dataset = _DATASETS.get(app, "egov." + app.replace("-", "_"))
        event = new_event(record, dataset=dataset, module="egov", original=text)
        app_id = _text(doc, "id")
        if app_id:  # the application's own id: a resent event is the same event
            event["event"]["id"] = event_id(f"egov:{app}", app_id.encode("utf-8"))
        event["@timestamp"] = stamp
        category, kind = ACTIONS.get(action, ("web", "info"))
        event["event"].update(action=action, outcome=outcome, category=[category], type=[kind])
        event["service"] = {"name": app}
        _map_parties(event, doc)
        _map_details(event, doc)
        return [event]
