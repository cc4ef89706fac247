"""``/metrics``: Prometheus text for a bearer token, 401 without it, no session needed."""

from __future__ import annotations

from pathlib import Path

from soc.config import Settings
from soc.metrics import IngestMetrics
from soc.state.db import StateDB
from soc.stores.sqlite import SqliteEventStore
from soc_dashboard.app import create_app
from soc_dashboard.metrics import metrics_token


def test_metrics_need_the_token_and_show_ingest_counters(
    settings: Settings, state: StateDB, store: SqliteEventStore
) -> None:
    metrics = IngestMetrics()
    metrics.count("syslog", {"read": 12, "ingested": 10, "rejected": 2})
    app = create_app(settings, state=state, store=store, metrics=metrics.exposition)
    client = app.server.test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    token = metrics_token(settings.home)
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.content_type.startswith("text/plain")
    body = ok.get_data(as_text=True)
    assert 'soc_ingest_records_total{outcome="ingested",source_type="syslog"} 10.0' in body
    assert 'soc_ingest_records_total{outcome="rejected",source_type="syslog"} 2.0' in body
    secret = Path(settings.home) / "secrets" / "metrics-token"
    assert secret.stat().st_mode & 0o077 == 0


def test_without_a_metrics_source_there_is_no_metrics_route(
    settings: Settings, state: StateDB, store: SqliteEventStore
) -> None:
    app = create_app(settings, state=state, store=store)
    response = app.server.test_client().get("/metrics")
    # the console's own not-found page (a Dash page), never metrics
    assert response.content_type.startswith("text/html")
    assert "soc_ingest" not in response.get_data(as_text=True)
