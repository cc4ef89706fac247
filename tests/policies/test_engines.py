"""The policy engines: registry, the embedded regopy engine, and the OPA client's requests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from policies.base import QUERIES, PolicyBundle, create_engine, engines
from policies.bundle import default_bundle
from policies.engines.opa import OpaEngine, client_options
from policies.engines.regopy import RegopyEngine
from soc.config import PolicySettings
from soc.errors import PolicyError

ENGINE_DIR = Path(__file__).resolve().parents[2] / "policies" / "engines"
SAMPLE: dict[str, Any] = {
    "date": "2026-11-20T00:00:00+00:00",
    "profile": "current",
    "system": {
        "id": "s",
        "system_type": "citizen_service",
        "administrative_procedures": True,
        "approved_level": 2,
    },
}


def test_every_engine_module_is_registered() -> None:
    modules = {p.stem for p in ENGINE_DIR.glob("*.py") if p.stem != "__init__"}
    assert set(engines()) == modules == {"regopy", "opa"}


def test_create_engine_loads_the_configured_engine() -> None:
    engine = create_engine(PolicySettings(engine="regopy"))
    try:
        assert engine.evaluate("classification", SAMPLE)["level"] == 3
    finally:
        engine.close()


def test_opa_without_a_url_is_a_clear_error() -> None:
    with pytest.raises(PolicyError, match="opa_url"):
        create_engine(PolicySettings(engine="opa"))


def test_regopy_evaluates_and_returns_none_when_undefined(engine: RegopyEngine) -> None:
    result = engine.evaluate("classification", SAMPLE)
    assert result["approved_lower"] is True and result["deciding"] == ["CLS-3.2d"]
    assert engine.evaluate("classification", {"profile": "current"}) is None


def test_regopy_reports_the_module_and_line_of_a_bad_policy() -> None:
    modules = {
        "bad/thing.rego": "package bad.thing\n\nimport rego.v1\n\n"
        "x := [1 |\n  some k, v in input\n]\n"
    }
    with pytest.raises(PolicyError) as caught:
        RegopyEngine().load(PolicyBundle(modules=modules, data={}, queries={}))
    assert caught.value.source == "bad/thing.rego" and caught.value.line == 5


def test_regopy_turns_runtime_errors_into_policy_errors() -> None:
    module = "package loop\n\nimport rego.v1\n\nparams := data.loop\n"
    engine = RegopyEngine()
    engine.load(PolicyBundle(modules={"loop.rego": module}, data={}, queries={"q": "loop/params"}))
    with pytest.raises(PolicyError, match="Recursion"):
        engine.evaluate("q", {})


def test_parallel_workers_give_the_same_answers(engine: RegopyEngine) -> None:
    docs = [
        {**SAMPLE, "system": {**SAMPLE["system"], "approved_level": n}} for n in (1, 2, 3, 4, 5)
    ]
    serial = list(engine.evaluate_many("classification", docs))
    pooled = RegopyEngine(workers=2, parallel_from=1)
    pooled.load(default_bundle())
    try:
        assert list(pooled.evaluate_many("classification", docs)) == serial
        assert pooled._pool is not None  # the answers came from the spawned workers
    finally:
        pooled.close()


def test_workers_follow_the_settings_and_small_evaluations_stay_in_process() -> None:
    from policies.engines.regopy import PARALLEL_FROM, auto_workers
    from soc.config import PolicySettings

    assert RegopyEngine.from_settings(PolicySettings(workers=1)).workers == 1
    assert RegopyEngine.from_settings(PolicySettings()).workers == auto_workers() >= 1
    engine = RegopyEngine(workers=2)
    engine.load(default_bundle())
    try:
        docs = [SAMPLE] * (PARALLEL_FROM - 1)
        assert len(list(engine.evaluate_many("classification", docs))) == len(docs)
        assert engine._pool is None  # no worker was started for so few inputs
    finally:
        engine.close()


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code, self._body = status, body

    def json(self) -> Any:
        return self._body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}")


class FakeSession:
    """Records what opa-python-client would send to the server."""

    def __init__(self, answer: Any = None) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.answer = answer if answer is not None else {"result": {"level": 3}}

    def put(self, url: str, data: bytes | None = None, json: Any = None, **_: Any) -> FakeResponse:
        self.calls.append(("PUT", url, data.decode("utf-8") if data else json))
        return FakeResponse(200 if data else 204, {})

    def post(self, url: str, json: Any = None, **_: Any) -> FakeResponse:
        self.calls.append(("POST", url, json))
        return FakeResponse(200, self.answer)

    def close(self) -> None:
        pass


def _opa(session: FakeSession) -> OpaEngine:
    from opa_client import OpaClient

    def factory(**kwargs: Any) -> Any:
        client = OpaClient(**kwargs)
        client._session = session
        return client

    return OpaEngine("http://opa.internal:8181", client_factory=factory)


def test_opa_push_sends_data_then_every_module() -> None:
    session = FakeSession()
    bundle = default_bundle()
    _opa(session).load(bundle)
    puts = [(url, body) for verb, url, body in session.calls if verb == "PUT"]
    data_urls = [url for url, _ in puts if "/v1/data/" in url]
    assert data_urls == [f"http://opa.internal:8181/v1/data/{k}" for k in bundle.data]
    policies = {
        url.rsplit("/v1/policies/", 1)[1]: body for url, body in puts if "/v1/policies/" in url
    }
    assert policies["soc/levels/classification"] == bundle.modules["levels/classification.rego"]
    assert len(policies) == len(bundle.modules)
    assert puts[0][1] == bundle.data["catalog"]


def test_opa_query_posts_the_input_to_the_document_path() -> None:
    session = FakeSession()
    engine = _opa(session)
    engine.load(default_bundle())
    assert engine.evaluate("classification", SAMPLE) == {"level": 3}
    verb, url, body = session.calls[-1]
    assert (verb, url) == ("POST", "http://opa.internal:8181/v1/data/levels/classification/result")
    assert body == {"input": SAMPLE}
    assert json.dumps(body)  # what goes on the wire is plain JSON


def test_opa_undefined_is_none_and_failures_are_policy_errors() -> None:
    engine = _opa(FakeSession(answer={}))
    engine.load(PolicyBundle(modules={}, data={}, queries=dict(QUERIES)))
    assert engine.evaluate("priority", {}) is None
    with pytest.raises(PolicyError, match="no query"):
        engine.evaluate("nothing", {})


@pytest.mark.parametrize(
    ("url", "expected"),
    [("http://opa:8181", {"host": "opa", "port": 8181, "ssl": False}),
     ("https://opa.example.vn", {"host": "opa.example.vn", "port": 443, "ssl": True})],
)  # fmt: skip
def test_client_options_from_the_url(url: str, expected: dict[str, Any]) -> None:
    assert client_options(url).items() >= expected.items()
    with pytest.raises(PolicyError):
        client_options("opa:8181")


@pytest.mark.skipif(not os.environ.get("SOC_TEST_OPA_URL"), reason="SOC_TEST_OPA_URL not set")
def test_a_real_opa_server_agrees_with_regopy(engine: RegopyEngine) -> None:
    server = OpaEngine(os.environ["SOC_TEST_OPA_URL"])
    server.load(default_bundle())
    try:
        for doc in (SAMPLE, {**SAMPLE, "profile": "legacy"}):
            assert server.evaluate("classification", doc) == engine.evaluate("classification", doc)
        alert = {
            "alert": {"rule_level": "high", "ti_match": True},
            "system": {"level": 3, "zone": "egov"},
        }
        assert server.evaluate("priority", alert) == engine.evaluate("priority", alert)
    finally:
        server.close()
