"""The gate in front of every console request: sessions, callback permissions, language switch."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import flask
from werkzeug.wrappers import Response

from soc.errors import AuthError
from soc.state.models import User
from soc_dashboard.accounts import password_version
from soc_dashboard.context import Actor, console
from soc_dashboard.i18n import LANGUAGES
from soc_dashboard.roles import allowed, permission_for_component

# /metrics checks its own bearer token (soc_dashboard/metrics.py)
PUBLIC_PATHS = frozenset({"/login", "/_favicon.ico", "/metrics"})
# The console's own static files (style sheet) load before sign-in; any other /assets/ path would
# reach Dash's page route and is treated like a page.
ASSETS_PREFIX = "/assets/"
ASSETS_DIR = (Path(__file__).resolve().parent / "assets").resolve()
# Machine endpoints answer 401/403 with JSON; pages redirect to the sign-in form.
MACHINE_PREFIXES = ("/_dash-", "/_reload-hash", "/api/")
CALLBACK_PATH = "/_dash-update-component"
MAX_CALLBACK_BYTES = 1_048_576
# Roles that may import files send them inside callbacks: 2 MiB base64-encoded, plus the envelope.
MAX_UPLOAD_CALLBACK_BYTES = 3 * 1_048_576
UPLOAD_PERMISSIONS = ("systems.edit", "evidence.edit")


def _is_asset_file(path: str) -> bool:
    if not path.startswith(ASSETS_PREFIX):
        return False
    target = (ASSETS_DIR / path[len(ASSETS_PREFIX) :]).resolve()
    return target.is_relative_to(ASSETS_DIR) and target.is_file()


def safe_next(target: str | None) -> str:
    """A local path to return to after sign-in; anything else (other hosts, schemes) → ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target[:512]


def _is_machine(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES)


def load_actor() -> Actor | None:
    """The session's user if it is still valid: not expired, active, same password as at sign-in."""
    session = flask.session
    uid, since = session.get("uid"), session.get("since")
    if not isinstance(uid, int) or not isinstance(since, int | float):
        return None
    ctx = console()
    if time.time() - since > ctx.settings.console.session_hours * 3600:
        return None
    with ctx.state.session() as s:
        user = s.get(User, uid)
        if user is None or not user.active or password_version(user) != session.get("pwv"):
            return None
        return Actor(user.id, user.username, user.role, user.display_name)


def callback_component_ids(body: Any) -> Iterator[str]:
    """Ids of the components a Dash callback request wants to write."""
    outputs = body.get("outputs") if isinstance(body, dict) else None
    if isinstance(outputs, dict):
        outputs = [outputs]
    if not isinstance(outputs, list) or not outputs:
        raise AuthError("callback request without outputs")
    for output in outputs:
        component = output.get("id") if isinstance(output, dict) else None
        if isinstance(component, dict):  # pattern-matching id: its "type" carries the page prefix
            component = component.get("type")
        if not isinstance(component, str):
            raise AuthError("callback output without a usable id")
        yield component


def callback_allowed(role: str, body: Any) -> bool:
    try:
        for component in callback_component_ids(body):
            permission = permission_for_component(component)
            if permission is not None and not allowed(role, permission):
                return False
    except AuthError:
        return False
    return True


def _callback_limit(role: str) -> int:
    uploads = any(allowed(role, permission) for permission in UPLOAD_PERMISSIONS)
    return MAX_UPLOAD_CALLBACK_BYTES if uploads else MAX_CALLBACK_BYTES


def _deny(status: int, message: str) -> Response:
    response = flask.jsonify({"error": message})
    response.status_code = status
    return response


def _language_switch() -> Response | None:
    lang = flask.request.args.get("lang")
    if flask.request.method != "GET" or lang not in LANGUAGES:
        return None
    flask.session["lang"] = lang
    rest = {k: v for k, v in flask.request.args.items() if k != "lang"}
    query = f"?{urlencode(rest)}" if rest else ""
    return flask.redirect(safe_next(flask.request.path + query), code=303)


def _cross_origin() -> bool:
    """A state-changing request sent by another site's page (browsers always send Origin then)."""
    origin = flask.request.headers.get("Origin")
    if flask.request.method in ("GET", "HEAD", "OPTIONS") or not origin:
        return False
    return urlsplit(origin).netloc != flask.request.host


def gate() -> Response | None:
    """``before_request``: let through only what the caller's session and role allow."""
    path = flask.request.path
    if not _is_machine(path) and (switched := _language_switch()) is not None:
        return switched
    if path in PUBLIC_PATHS or _is_asset_file(path):
        return None
    if _cross_origin():
        return _deny(403, "cross-origin request refused")
    actor = load_actor()
    if actor is None:
        for key in ("uid", "user", "role", "since", "pwv"):
            flask.session.pop(key, None)
        if _is_machine(path):
            return _deny(401, "authentication required")
        full = flask.request.full_path.rstrip("?")
        return flask.redirect("/login?" + urlencode({"next": safe_next(full)}), code=303)
    flask.g.actor = actor
    if path == CALLBACK_PATH:
        if (flask.request.content_length or 0) > _callback_limit(actor.role):
            return _deny(413, "callback request too large")
        if not callback_allowed(actor.role, flask.request.get_json(silent=True)):
            return _deny(403, "your role may not use this part of the console")
    return None


def security_headers(response: Response) -> Response:
    """``after_request``: no framing, no MIME sniffing, no referrer outside the console."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
