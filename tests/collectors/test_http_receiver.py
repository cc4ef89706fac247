"""The HTTP event receiver: tokens (hashed), 401/413/429, per-event reasons, NDJSON and arrays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from collectors.base import DeadLetter
from collectors.http_receiver import EventReceiver, RateLimiter, ReceiverLimits, TokenRegistry
from collectors.registry import SourceType
from soc.ecs import Event
from soc.errors import StoreUnavailable

EVENT = {
    "id": "dvc-1",
    "time": "2026-03-01T08:15:30+07:00",
    "app": "portal",
    "action": "login",
    "outcome": "failure",
    "client": {"ip": "203.0.113.50"},
}


class Collected:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.letters: list[DeadLetter] = []

    def __call__(self, events: list[Event], letters: list[DeadLetter]) -> None:
        self.events.extend(events)
        self.letters.extend(letters)


@pytest.fixture
def setup(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> tuple[Client, str, Collected, TokenRegistry]:
    tokens = TokenRegistry(tmp_path / "tokens.json")
    token = tokens.issue("portal", agency="so-tttt")
    collected = Collected()
    limits = ReceiverLimits(max_body_bytes=4096, max_events=50, rate_per_second=1, burst=20)
    app = EventReceiver(tokens, source_types["egov-json"], collected, limits, zone="egov")
    return Client(app), token, collected, tokens


def post(client: Client, token: str | None, body: bytes, mimetype: str = "application/json") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/v1/events",
        data=body,
        headers=headers,
        content_type=mimetype,
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )


def test_accepts_one_event_with_sender_context(setup: Any) -> None:
    client, token, collected, _ = setup
    response = post(client, token, json.dumps(EVENT).encode())
    assert response.status_code == 200
    assert response.json == {"accepted": 1, "rejected": 0, "errors": []}
    (event,) = collected.events
    assert event["event"]["dataset"] == "egov.portal"
    assert event["soc"] == {"zone": "egov", "agency_id": "so-tttt"}
    assert event["log"]["source"]["address"] == "10.1.2.3"


def test_ndjson_and_array_with_reasons_for_bad_events(setup: Any) -> None:
    client, token, collected, _ = setup
    bad = {k: v for k, v in EVENT.items() if k != "outcome"}
    ndjson = b"\n".join(json.dumps(x).encode() for x in (EVENT, bad, {**EVENT, "id": "2"}))
    response = post(client, token, ndjson, "application/x-ndjson")
    assert response.json["accepted"] == 2 and response.json["rejected"] == 1
    assert response.json["errors"][0]["index"] == 1
    assert "without 'outcome'" in response.json["errors"][0]["reason"]
    array = json.dumps([{**EVENT, "id": "3"}, "not an object"]).encode()
    response = post(client, token, array)
    assert response.status_code == 200 and response.json["rejected"] == 1
    assert len(collected.events) == 3 and len(collected.letters) == 2
    only_bad = post(client, token, b"{not json")
    assert only_bad.status_code == 400


def test_refusals(setup: Any) -> None:
    client, token, _, tokens = setup
    assert post(client, None, b"{}").status_code == 401
    assert post(client, "wrong-token", b"{}").status_code == 401
    assert post(client, token, b"[" + b"1," * 3000 + b"1]").status_code == 413
    assert client.get("/v1/events").status_code == 405
    assert client.get("/v1/health").status_code == 200
    many = b"\n".join(json.dumps({**EVENT, "id": str(i)}).encode() for i in range(15))
    assert post(client, token, many[:4000], "application/x-ndjson").status_code == 200
    limited = post(client, token, many[:4000], "application/x-ndjson")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert tokens.revoke("portal")
    assert post(client, token, b"{}").status_code == 401


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    tokens = TokenRegistry(tmp_path / "tokens.json")
    token = tokens.issue("lgsp")
    text = (tmp_path / "tokens.json").read_text()
    assert token not in text and "sha256" in text
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0
    assert TokenRegistry(tmp_path / "tokens.json").verify(token) == ("lgsp", None)


def test_rate_limiter_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=4, clock=lambda: now[0])
    assert limiter.allow("a", 4) and not limiter.allow("a", 1)
    now[0] = 1.0
    assert limiter.allow("a", 2) and not limiter.allow("a", 1)
    assert limiter.allow("b", 4)


def test_store_down_and_spool_full_is_503_with_retry_after(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> None:
    tokens = TokenRegistry(tmp_path / "tokens.json")
    token = tokens.issue("portal")

    def refuse(events: list[Event], letters: list[DeadLetter]) -> None:
        raise StoreUnavailable("the event store is unavailable and the spool is full")

    app = EventReceiver(tokens, source_types["egov-json"], refuse, ReceiverLimits(), zone="egov")
    response = post(Client(app), token, json.dumps(EVENT).encode())
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "spool is full" in response.json["error"]


def ecs_receiver(tmp_path: Path, kind: SourceType, deliver: Any) -> tuple[Client, str]:
    tokens = TokenRegistry(tmp_path / "tokens.json")
    token = tokens.issue("camera-gw", agency="so-tttt")
    return Client(EventReceiver(tokens, kind, deliver, zone="man")), token


def test_ecs_json_receiver_refuses_malformed_events_and_drops_forged_context(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> None:
    collected = Collected()
    client, token = ecs_receiver(tmp_path, source_types["ecs-json"], collected)
    stamp = {"@timestamp": "2026-11-23T03:00:00Z"}
    lines = [
        {**stamp, "source": "10.10.20.7"},
        {**stamp, "event": {"dataset": "linux.auth"}, "soc": {"system_id": "dng-camera"}},
    ]
    body = b"\n".join(json.dumps(x).encode() for x in lines)
    response = post(client, token, body, "application/x-ndjson")
    assert response.status_code == 200
    assert response.json["errors"] == [
        {"index": 0, "reason": "ecs-json: ECS field set 'source' must be an object, got text"}
    ]
    (event,) = collected.events
    assert event["soc"] == {"zone": "man", "agency_id": "so-tttt"}  # the receiver's, not theirs
    assert event["tags"] == ["_soc_context_removed"]


def test_an_unexpected_fault_while_storing_is_a_500_and_the_receiver_keeps_serving(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> None:
    calls: list[int] = []

    def deliver(events: list[Event], letters: list[DeadLetter]) -> None:
        calls.append(len(events))
        if len(calls) == 1:
            raise AttributeError("'str' object has no attribute 'get'")

    client, token = ecs_receiver(tmp_path, source_types["ecs-json"], deliver)
    body = json.dumps({"@timestamp": "2026-11-23T03:00:00Z"}).encode()
    failed = post(client, token, body)
    assert failed.status_code == 500
    assert failed.json == {
        "error": "events not stored: AttributeError: 'str' object has no attribute 'get'"
    }
    assert post(client, token, body).status_code == 200
    assert calls == [1, 1]
