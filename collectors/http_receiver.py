"""HTTP receiver for application events (e-government audit JSON): bearer tokens, limits.

``POST /v1/events`` takes one JSON object, a JSON array or NDJSON. Each sender has its own
token; only a SHA-256 of it is stored. Bodies over the size limit get 413, senders over their
rate get 429, and every refused event is answered with its reason and kept as a dead letter.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from collectors.base import DeadLetter, RawRecord
from collectors.dispatch import parse_record
from collectors.registry import SourceType
from soc.ecs import Event, utc_now
from soc.errors import ConfigError, StoreUnavailable

MAX_ERRORS_REPORTED = 100
Deliver = Callable[[list[Event], list[DeadLetter]], None]


class TokenRegistry:
    """Sender name → hashed bearer token, in a JSON file (mode 0600) in the SOC home."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, str]] = {}
        if path.is_file():
            try:
                self._entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise ConfigError(f"unreadable token file: {e}", source=path) from e
        self._by_hash = {e["sha256"]: name for name, e in self._entries.items()}

    @staticmethod
    def _hash(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def issue(self, name: str, agency: str | None = None) -> str:
        """A new token for ``name`` (replacing any previous one); shown once, stored hashed."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            entry = {"sha256": self._hash(token), "created": utc_now().isoformat()}
            if agency:
                entry["agency"] = agency
            self._entries[name] = entry
            self._by_hash = {e["sha256"]: n for n, e in self._entries.items()}
            self._save()
        return token

    def revoke(self, name: str) -> bool:
        with self._lock:
            removed = self._entries.pop(name, None) is not None
            self._by_hash = {e["sha256"]: n for n, e in self._entries.items()}
            self._save()
        return removed

    def names(self) -> list[str]:
        return sorted(self._entries)

    def verify(self, token: str) -> tuple[str, str | None] | None:
        """(sender name, agency) for a valid token, else None."""
        name = self._by_hash.get(self._hash(token))
        if name is None:
            return None
        return name, self._entries[name].get("agency")

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self._entries, out, indent=1)
        os.replace(temporary, self.path)


class RateLimiter:
    """Token bucket per sender: ``rate`` events per second, bursts up to ``burst``."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, cost: int = 1) -> bool:
        with self._lock:
            now = self.clock()
            level, last = self._buckets.get(key, (float(self.burst), now))
            level = min(float(self.burst), level + (now - last) * self.rate)
            if level < cost:
                self._buckets[key] = (level, now)
                return False
            self._buckets[key] = (level - cost, now)
            return True


@dataclass(frozen=True)
class ReceiverLimits:
    max_body_bytes: int = 10 * 1_048_576
    max_events: int = 10_000
    rate_per_second: float = 500.0
    burst: int = 5_000


class EventReceiver:
    """The WSGI application; ``deliver`` gets the parsed events and dead letters of a request."""

    def __init__(
        self,
        tokens: TokenRegistry,
        source_type: SourceType,
        deliver: Deliver,
        limits: ReceiverLimits = ReceiverLimits(),
        zone: str | None = None,
    ) -> None:
        self.tokens = tokens
        self.source_type = source_type
        self.deliver = deliver
        self.limits = limits
        self.zone = zone
        self.limiter = RateLimiter(limits.rate_per_second, limits.burst)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.max_content_length = self.limits.max_body_bytes
        try:
            response = self._dispatch(request)
        except RequestEntityTooLarge:
            response = _json(413, {"error": f"body over {self.limits.max_body_bytes} bytes"})
        except HTTPException as e:
            response = _json(e.code or 400, {"error": e.description or e.name})
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        if request.path == "/v1/health":
            return _json(200, {"status": "ok"})
        if request.path != "/v1/events":
            return _json(404, {"error": "not found"})
        if request.method != "POST":
            return _json(405, {"error": "use POST"})
        auth = request.headers.get("Authorization", "")
        sender = self.tokens.verify(auth[7:]) if auth.startswith("Bearer ") else None
        if sender is None:
            return _json(401, {"error": "missing or invalid bearer token"})
        name, agency = sender
        if (request.content_length or 0) > self.limits.max_body_bytes:
            return _json(413, {"error": f"body over {self.limits.max_body_bytes} bytes"})
        body = request.get_data(cache=False)
        items = list(_split(body, request.mimetype))
        if len(items) > self.limits.max_events:
            return _json(413, {"error": f"more than {self.limits.max_events} events"})
        if not self.limiter.allow(name, max(1, len(items))):
            return _json(429, {"error": "rate limit exceeded"}, {"Retry-After": "1"})
        return self._accept(items, name, agency, request.remote_addr or "")

    def _accept(self, items: list[bytes], name: str, agency: str | None, peer: str) -> Response:
        events: list[Event] = []
        letters: list[DeadLetter] = []
        errors: list[dict[str, Any]] = []
        for index, data in enumerate(items):
            record = RawRecord(
                data, f"http://{name}", None, peer=peer, source_type=self.source_type.name,
                zone=self.zone, agency=agency,
            )  # fmt: skip
            outcome = parse_record(
                self.source_type.parsers, record, self.source_type.name, self.source_type.keep_bytes
            )
            if isinstance(outcome, DeadLetter):
                letters.append(outcome)
                if len(errors) < MAX_ERRORS_REPORTED:
                    errors.append({"index": index, "reason": outcome.reason})
            else:
                events.extend(outcome)
        try:
            self.deliver(events, letters)
        except StoreUnavailable as e:  # the store is down and the spool full: the sender retries
            return _json(503, {"error": e.message}, {"Retry-After": "5"})
        except Exception as e:  # nothing was acknowledged: the sender may retry; we keep serving
            return _json(500, {"error": f"events not stored: {type(e).__name__}: {e}"[:1000]})
        status = 400 if items and not events else 200
        body = {"accepted": len(items) - len(letters), "rejected": len(letters), "errors": errors}
        return _json(status, body)


def _split(body: bytes, mimetype: str) -> Iterator[bytes]:
    """One object, an array of objects, or NDJSON → one byte string per event."""
    stripped = body.strip()
    if mimetype == "application/x-ndjson" or not stripped.startswith(b"["):
        if mimetype != "application/x-ndjson" and stripped.startswith(b"{"):
            try:
                orjson.loads(stripped)
                yield stripped
                return
            except orjson.JSONDecodeError:
                pass
        yield from (line for line in stripped.split(b"\n") if line.strip())
        return
    try:
        array = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        yield stripped  # refused by the parser with the JSON error as reason
        return
    for item in array if isinstance(array, list) else [array]:
        yield orjson.dumps(item)


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json",
                    headers=headers)  # fmt: skip
