"""Serving the console with waitress (a production WSGI server, threads, no reloader)."""

from __future__ import annotations

from typing import Any

from dash import Dash

from soc.errors import ConfigError

THREADS = 8
MAX_BODY_BYTES = 4 * 1_048_576  # the largest: a 2 MiB file upload, base64 in a callback


def make_server(app: Dash, host: str, port: int) -> Any:
    """A bound waitress server (``.run()`` serves, ``.close()`` stops); port 0 picks a free one."""
    try:
        from waitress import create_server
    except ImportError as e:
        raise ConfigError(
            "the console needs the 'waitress' package", hint="pip install waitress"
        ) from e
    try:
        return create_server(
            app.server,
            host=host,
            port=port,
            threads=THREADS,
            ident="soc-console",
            max_request_body_size=MAX_BODY_BYTES,
            channel_timeout=120,
        )
    except OSError as e:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {e.strerror or e}",
            hint="choose another port with --port or stop the program using it",
        ) from e


def serve(app: Dash, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C); binds ``host:port`` (the default host is loopback)."""
    server = make_server(app, host, port)
    try:
        server.run()
    finally:
        server.close()
