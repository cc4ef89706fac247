"""The console gate: sign-in, sessions, roles on pages, callbacks and API routes, throttling."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from soc.state.db import StateDB
from soc.state.models import AuditEntry, User
from soc_dashboard.accounts import set_active, set_password
from soc_dashboard.auth import callback_allowed, safe_next
from tests.soc_dashboard.conftest import (
    PASSWORD,
    callback_body,
    csrf_of,
    seed_alert,
    sign_in,
)

PAGES = ("/", "/alerts", "/events", "/compliance", "/systems", "/audit", "/alerts?alert=1")
MACHINE = ("/_dash-layout", "/_dash-dependencies", "/api/alerts", "/api/me")


def audit_actions(state: StateDB) -> list[str]:
    with state.session() as s:
        return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_sign_in_without_a_session(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", MACHINE)
def test_machine_endpoints_answer_401_without_a_session(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json == {"error": "authentication required"}


def test_callbacks_answer_401_without_a_session(client: FlaskClient) -> None:
    response = client.post("/_dash-update-component", json=callback_body("alerts-table"))
    assert response.status_code == 401


def test_sign_in_form_and_stylesheet_are_public(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="csrf"' in page.get_data(as_text=True)
    assert client.get("/assets/console.css").status_code == 200
    for other in ("/assets/anything", "/assets/../auth.py", "/assets/%2e%2e/auth.py"):
        assert client.get(other).status_code == 303  # not a file of ours: a page, signed in only


def test_wrong_password_is_refused_and_audited(client: FlaskClient, state: StateDB) -> None:
    response = sign_in(client, "ana", "not-the-password")
    assert response.status_code == 401
    assert "không đúng" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    assert audit_actions(state)[-1] == "login.failed"


def test_unknown_and_disabled_users_are_refused(client: FlaskClient, state: StateDB) -> None:
    with state.session() as s:
        set_active(s, "ana", False, actor="test")
    assert sign_in(client, "ana").status_code == 401
    assert sign_in(client, "nobody").status_code == 401


def test_sign_in_opens_a_session_and_is_audited(client: FlaskClient, state: StateDB) -> None:
    response = sign_in(client, "ana")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/api/me").json == {"username": "ana", "role": "analyst"}
    assert audit_actions(state)[-1] == "login"
    with state.session() as s:
        assert s.scalars(select(User).where(User.username == "ana")).one().last_login is not None


def test_auditor_lands_on_compliance(client: FlaskClient) -> None:
    assert sign_in(client, "audi").headers["Location"] == "/compliance"


def test_sign_in_without_the_form_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/api/me").status_code == 401


def test_session_cookie_holds_no_password(client: FlaskClient) -> None:
    sign_in(client, "ana")
    cookie = client.get_cookie("soc_console")
    assert cookie is not None
    assert PASSWORD not in cookie.value
    assert cookie.http_only


def test_failed_sign_ins_are_throttled_even_with_the_right_password(client: FlaskClient) -> None:
    for _ in range(5):
        assert sign_in(client, "ana", "wrong-password-x").status_code == 401
    locked = sign_in(client, "ana")
    assert locked.status_code == 429
    assert "phút" in locked.get_data(as_text=True)
    assert client.get("/api/me").status_code == 401
    # Another account from the same address is not locked by the per-account counter.
    assert sign_in(client, "boss").status_code == 303


def test_password_change_ends_open_sessions(client: FlaskClient, state: StateDB) -> None:
    sign_in(client, "ana")
    assert client.get("/api/me").status_code == 200
    with state.session() as s:
        set_password(s, "ana", "another-long-password", actor="test")
    assert client.get("/api/me").status_code == 401


def test_disabling_a_user_ends_open_sessions(client: FlaskClient, state: StateDB) -> None:
    sign_in(client, "ana")
    with state.session() as s:
        set_active(s, "ana", False, actor="test")
    assert client.get("/api/me").status_code == 401


def test_sessions_expire(client: FlaskClient, app: Any) -> None:
    sign_in(client, "ana")
    hours = app.server.extensions["soc_console"].settings.console.session_hours
    with client.session_transaction() as session:
        session["since"] = int(time.time()) - hours * 3600 - 1
    assert client.get("/api/me").status_code == 401


def test_a_forged_session_without_the_key_is_ignored(client: FlaskClient, app: Any) -> None:
    from flask.sessions import SecureCookieSessionInterface

    other = app.server.__class__("forger")
    other.secret_key = "not-the-console-key-" * 3
    serializer = SecureCookieSessionInterface().get_signing_serializer(other)
    assert serializer is not None
    forged = serializer.dumps({"uid": 1, "since": int(time.time()), "pwv": "x"})
    client.set_cookie("soc_console", forged)
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    ("user", "component", "expected"),
    [
        ("ana", "alerts-table", 200),
        ("ana", "alerts-result", 200),
        ("drill", "alerts-table", 200),
        ("drill", "alerts-result", 403),  # drill leaders watch; they do not change alerts
        ("audi", "alerts-table", 403),
        ("audi", "events-table", 403),
        ("audi", "compliance-results", 200),
        ("ana", "audit-table", 403),
        ("ana", "nobody-owns-this", 403),
    ],
)
def test_callbacks_are_checked_against_the_role(
    client: FlaskClient, user: str, component: str, expected: int
) -> None:
    sign_in(client, user)
    response = client.post("/_dash-update-component", json=callback_body(component))
    # 200-level or a Dash error about the (deliberately empty) inputs: the gate let it through.
    passed = response.status_code != 403
    assert passed == (expected == 200), response.get_data(as_text=True)[:200]


def test_api_alerts_is_checked_against_the_role(client: FlaskClient, state: StateDB) -> None:
    seed_alert(state)
    sign_in(client, "audi")
    assert client.get("/api/alerts").status_code == 403
    client.post("/logout", data={"csrf": csrf_of(client)})
    sign_in(client, "ana")
    body = client.get("/api/alerts?status=new&limit=5").json
    assert body is not None
    assert [a["rule_id"] for a in body["alerts"]] == ["soc-ssh-bruteforce"]
    assert body["alerts"][0]["last_seen"].endswith("+00:00")


def test_cross_origin_posts_are_refused(client: FlaskClient) -> None:
    sign_in(client, "ana")
    response = client.post(
        "/_dash-update-component",
        json=callback_body("alerts-table"),
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_sign_out_needs_the_form_token_and_ends_the_session(
    client: FlaskClient, state: StateDB
) -> None:
    sign_in(client, "ana")
    client.post("/logout", data={"csrf": "forged"})
    assert client.get("/api/me").status_code == 200
    response = client.post("/logout", data={"csrf": csrf_of(client)})
    assert response.headers["Location"] == "/login"
    assert client.get("/api/me").status_code == 401
    assert audit_actions(state)[-1] == "logout"


def test_language_switch_is_kept_in_the_session(client: FlaskClient) -> None:
    response = client.get("/login?lang=en")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "Wrong username" in sign_in(client, "ana", "bad-password-1").get_data(as_text=True)


def test_redirect_after_sign_in_stays_on_this_site(client: FlaskClient) -> None:
    csrf = csrf_of(client)
    form = {"username": "ana", "password": PASSWORD, "csrf": csrf, "next": "//evil.example/x"}
    assert client.post("/login", data=form).headers["Location"] == "/"
    assert safe_next("https://evil.example/") == "/"
    assert safe_next("/\\evil") == "/"
    assert safe_next("/alerts?alert=3") == "/alerts?alert=3"


def test_responses_carry_security_headers(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "body",
    [None, {}, {"outputs": []}, {"outputs": [{"id": 3}]}, {"outputs": "alerts-table"}],
)
def test_malformed_callback_requests_are_refused(body: Any) -> None:
    assert not callback_allowed("admin", body)


def test_pattern_matching_outputs_use_their_type_prefix() -> None:
    body = {"outputs": [{"id": {"type": "alerts-open", "index": 3}, "property": "children"}]}
    assert callback_allowed("analyst", body)
    assert not callback_allowed("auditor", body)


def test_state_database_failure_is_a_clear_503(
    client: FlaskClient, state: StateDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    sign_in(client, "ana")

    def refuse(*_: Any, **__: Any) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(state, "session", refuse)
    response = client.get("/api/me")
    assert response.status_code == 503
    assert response.json == {"error": "state database unavailable; try again shortly"}
