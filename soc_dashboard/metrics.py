"""``/metrics`` in the Prometheus text format, for a scraper holding the metrics bearer token.

The token is generated once into ``<home>/secrets/metrics-token`` (0600); the session gate lets
the path through and this route checks the token itself, in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from pathlib import Path

import flask
from werkzeug.wrappers import Response

from soc_dashboard.keys import read_secret, secrets_dir, write_secret

METRICS_PATH = "/metrics"
METRICS_TOKEN_FILE = "metrics-token"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_token(home: Path) -> str:
    path = secrets_dir(home) / METRICS_TOKEN_FILE
    write_secret(path, secrets.token_urlsafe(32) + "\n")
    return read_secret(path)


def register_metrics(server: flask.Flask, exposition: Callable[[], bytes], home: Path) -> None:
    token = metrics_token(home).encode()

    def metrics() -> Response:
        given = flask.request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token):
            response = flask.jsonify({"error": "a valid metrics bearer token is required"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="soc-metrics"'
            return response
        return Response(exposition(), mimetype=None, content_type=CONTENT_TYPE)

    server.add_url_rule(METRICS_PATH, "soc_metrics", metrics)
