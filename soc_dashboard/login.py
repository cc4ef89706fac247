"""Sign-in and sign-out routes: a plain HTML form (works without JavaScript), throttled, audited."""

from __future__ import annotations

import hmac
import math
import secrets
import time
from urllib.parse import quote

import flask
from werkzeug.wrappers import Response

from soc_dashboard import audit
from soc_dashboard.accounts import authenticate, password_version
from soc_dashboard.auth import safe_next
from soc_dashboard.context import console, current_actor, current_language
from soc_dashboard.i18n import t
from soc_dashboard.roles import allowed

# First page each role may open, in this order (an auditor has no overview).
LANDING = (
    ("/", "overview.view"),
    ("/compliance", "compliance.view"),
)

LOGIN_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ app_title }}</title>
<link rel="icon" href="/_favicon.ico">
<link rel="stylesheet" href="/assets/console.css">
</head>
<body class="login-body">
<main class="login-card" aria-labelledby="login-heading">
  <p class="login-brand">{{ app_title }} · {{ city }}</p>
  <h1 id="login-heading">{{ title }}</h1>
  {% if message %}<p class="login-error" role="alert" id="login-error">{{ message }}</p>{% endif %}
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next }}">
    <label for="login-username">{{ username_label }}</label>
    <input id="login-username" name="username" autocomplete="username" required maxlength="64"
           value="{{ username }}" autofocus>
    <label for="login-password">{{ password_label }}</label>
    <input id="login-password" name="password" type="password" autocomplete="current-password"
           required maxlength="256">
    <button type="submit" id="login-submit">{{ submit }}</button>
  </form>
  <p class="login-lang">
    <a href="?lang=vi{{ next_q }}" lang="vi">Tiếng Việt</a> ·
    <a href="?lang=en{{ next_q }}" lang="en">English</a>
  </p>
</main>
</body>
</html>
"""


def csrf_token() -> str:
    """The session's anti-forgery token for plain HTML forms (created on first use)."""
    token = flask.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        flask.session["csrf"] = token
    return token


def _csrf_ok() -> bool:
    sent = flask.request.form.get("csrf", "")
    expected = flask.session.get("csrf")
    return isinstance(expected, str) and hmac.compare_digest(sent.encode(), expected.encode())


def _form(message_key: str | None = None, status: int = 200, **values: object) -> Response:
    lang = current_language()
    next_target = safe_next(flask.request.values.get("next"))
    html = flask.render_template_string(
        LOGIN_TEMPLATE,
        lang=lang,
        title=t("login.title", lang),
        app_title=t("app.title", lang),
        city=console().settings.city,
        message=t(message_key, lang, **values) if message_key else "",
        csrf=csrf_token(),
        next=next_target,
        next_q="&next=" + quote(next_target, safe="/") if next_target != "/" else "",
        username=flask.request.form.get("username", "")[:64],
        username_label=t("login.username", lang),
        password_label=t("login.password", lang),
        submit=t("login.submit", lang),
    )
    return flask.make_response(html, status)


def landing_for(role: str, wanted: str) -> str:
    if wanted != "/":
        return wanted
    return next((path for path, perm in LANDING if allowed(role, perm)), "/")


def _throttle_keys(username: str) -> tuple[str, str]:
    return username, flask.request.remote_addr or "unknown"


def _retry_after(username: str) -> float:
    ctx = console()
    user_key, address = _throttle_keys(username)
    return max(ctx.user_throttle.retry_after(user_key), ctx.address_throttle.retry_after(address))


def _record_failure(username: str) -> None:
    ctx = console()
    user_key, address = _throttle_keys(username)
    locked = ctx.user_throttle.failure(user_key)
    locked = ctx.address_throttle.failure(address) or locked
    with ctx.state.session() as s:
        audit.record(s, username or "-", "login.failed", username, address=address, locked=locked)


def sign_in() -> Response:
    if flask.request.method == "GET":
        return _form("login.expired" if flask.request.args.get("expired") else None)
    if not _csrf_ok():
        return _form("login.bad_form", 400)
    username = flask.request.form.get("username", "").strip().lower()[:64]
    password = flask.request.form.get("password", "")
    wait = _retry_after(username)
    if wait > 0:
        return _form("login.throttled", 429, minutes=math.ceil(wait / 60))
    ctx = console()
    identity: tuple[int, str, str, str] | None = None
    with ctx.state.session() as s:
        user = authenticate(s, username, password)
        if user is not None:
            audit.record(
                s, user.username, "login", user.username, address=flask.request.remote_addr
            )
            identity = (user.id, user.username, user.role, password_version(user))
    if identity is None:
        _record_failure(username)
        return _form("login.failed", 401)
    # Only the account's counter is reset: one valid account must not unlock a guessing address.
    ctx.user_throttle.success(username)
    lang = flask.session.get("lang")
    flask.session.clear()  # a fresh session on sign-in: nothing planted before survives
    uid, name, role, pwv = identity
    flask.session.update(uid=uid, user=name, role=role, pwv=pwv, since=int(time.time()))
    if lang:
        flask.session["lang"] = lang
    flask.session.permanent = True
    target = landing_for(role, safe_next(flask.request.form.get("next")))
    return flask.redirect(target, code=303)


def sign_out() -> Response:
    if not _csrf_ok():
        return flask.redirect("/", code=303)
    actor = current_actor()
    if actor is not None:
        with console().state.session() as s:
            audit.record(s, actor.username, "logout", actor.username)
    lang = flask.session.get("lang")
    flask.session.clear()
    if lang:
        flask.session["lang"] = lang
    return flask.redirect("/login", code=303)


def register_routes(server: flask.Flask) -> None:
    server.add_url_rule("/login", "soc_login", sign_in, methods=["GET", "POST"])
    server.add_url_rule("/logout", "soc_logout", sign_out, methods=["POST"])
