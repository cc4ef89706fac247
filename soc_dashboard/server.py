"""Serving the console with waitress (a production WSGI server, threads, no reloader)."""

from __future__ import annotations

from dash import Dash

from soc.errors import ConfigError

THREADS = 8
MAX_BODY_BYTES = 4 * 1_048_576  # the console never needs large uploads


def serve(app: Dash, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C); binds ``host:port`` (the default host is loopback)."""
    try:
        from waitress import serve as waitress_serve
    except ImportError as e:
        raise ConfigError(
            "the console needs the 'waitress' package", hint="pip install waitress"
        ) from e
    waitress_serve(
        app.server,
        host=host,
        port=port,
        threads=THREADS,
        ident="soc-console",
        max_request_body_size=MAX_BODY_BYTES,
        channel_timeout=120,
    )
