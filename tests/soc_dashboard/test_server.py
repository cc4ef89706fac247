"""The console served by waitress over real HTTP."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest

from soc.errors import ConfigError
from soc_dashboard.server import make_server


def test_serves_the_sign_in_page_and_guards_the_rest(app: Any) -> None:
    server = make_server(app, "127.0.0.1", 0)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as page:
            assert page.status == 200
            assert "Đăng nhập" in page.read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/alerts", timeout=10)
        assert refused.value.code == 401
    finally:
        server.close()
        thread.join(timeout=10)


def test_a_busy_port_is_a_clear_error(app: Any) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ConfigError, match="cannot listen"):
            make_server(app, "127.0.0.1", busy.getsockname()[1])
