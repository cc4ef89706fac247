"""A small read-only JSON API beside the console, behind the same sign-in and roles."""

from __future__ import annotations

import flask
from werkzeug.wrappers import Response

from soc_dashboard.context import console, current_actor
from soc_dashboard.roles import allowed
from soc_dashboard.views.alerts import AlertFilter, list_alerts
from soc_dashboard.views.common import as_utc, clamp


def _refuse(status: int, message: str) -> Response:
    response = flask.jsonify({"error": message})
    response.status_code = status
    return response


def me() -> Response:
    actor = current_actor()
    if actor is None:  # the gate already answered 401; kept for routes mounted elsewhere
        return _refuse(401, "authentication required")
    return flask.jsonify({"username": actor.username, "role": actor.role})


def alerts() -> Response:
    """``GET /api/alerts?status=new&level=high&limit=50``: newest first, at most 500."""
    actor = current_actor()
    if actor is None:
        return _refuse(401, "authentication required")
    if not allowed(actor.role, "alerts.view"):
        return _refuse(403, "your role may not read alerts")
    args = flask.request.args
    flt = AlertFilter.from_inputs(
        args.getlist("status"),
        args.getlist("level"),
        args.getlist("engine"),
        args.get("system"),
        clamp(args.get("limit"), 1, 500, 100),
    )
    with console().state.session() as session:
        rows = [
            {
                "id": a.id,
                "rule_id": a.rule_id,
                "title": a.rule_title,
                "level": a.rule_level,
                "status": a.status,
                "engine": a.engine,
                "count": a.count,
                "system_id": a.system_id,
                "first_seen": as_utc(a.first_seen).isoformat() if a.first_seen else None,
                "last_seen": as_utc(a.last_seen).isoformat() if a.last_seen else None,
            }
            for a in list_alerts(session, flt)
        ]
    return flask.jsonify({"alerts": rows})


def register_routes(server: flask.Flask) -> None:
    server.add_url_rule("/api/me", "soc_api_me", me)
    server.add_url_rule("/api/alerts", "soc_api_alerts", alerts)
