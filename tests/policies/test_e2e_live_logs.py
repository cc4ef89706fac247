"""End to end: a system's logs go through the pipeline into the event store; when they stop, its
layer-2 and centralised-logging requirements fail once the window has passed; when they resume,
those requirements pass again, and the runs record each change with a compliance alert."""

from __future__ import annotations

from datetime import datetime, timedelta
from ipaddress import ip_address, ip_network
from typing import Any

from sqlalchemy import select

from policies.catalog_loader import Catalog
from policies.compliance import RunSummary, run_compliance
from policies.engines.regopy import RegopyEngine
from policies.facts import FactsContext
from soc.ecs import Event, get_field, set_field
from soc.pipeline import Pipeline
from soc.state.db import StateDB
from soc.state.models import Alert, System
from soc.stores.sqlite import SqliteEventStore
from tests.policies.conftest import AT, event, feed_demo

WATCHED = ("L4M-2", "LOG-02", "MON-01")


def inventory_tagger(state: StateDB) -> Any:
    """Stands in for the enrichment step: the system whose ranges hold the host's address."""
    with state.session() as s:
        ranges = [
            (ip_network(r), sys.id) for sys in s.scalars(select(System)) for r in sys.ip_ranges
        ]

    def tag(ev: Event) -> None:
        address = get_field(ev, "host.ip")
        if address:
            ip = ip_address(address)
            for network, system_id in ranges:
                if ip.version == network.version and ip in network:
                    set_field(ev, "soc.system_id", system_id)

    return tag


def portal_logs(pipeline: Pipeline, at: datetime) -> None:
    """The portal's web server, audit log, IDS and firewall, and the IDS sensor on its link."""
    for dataset in ("nginx.access", "egov.portal", "suricata.eve", "cisco.asa"):
        pipeline.emit([event(None, dataset, at, host={"ip": "10.10.20.11"})])
    pipeline.emit([event(None, "suricata.eve", at, observer={"name": "ids-dc-01"})])
    pipeline.flush()


def portal(summary: RunSummary) -> dict[str, str]:
    found = next(s for s in summary.systems if s.system_id == "dng-portal")
    return {r.requirement_id: r.status for r in found.results if r.requirement_id in WATCHED}


def test_logs_stop_then_resume(
    engine: RegopyEngine, catalog: Catalog, state: StateDB, store: SqliteEventStore
) -> None:
    feed_demo(store, at=AT - timedelta(days=1), skip=("dng-portal",))
    pipeline = Pipeline(store, enrichers=[inventory_tagger(state)])
    portal_logs(pipeline, AT - timedelta(days=200))  # history: retention is held
    portal_logs(pipeline, AT - timedelta(hours=2))

    def run(at: datetime) -> RunSummary:
        ctx = FactsContext(at, "current", 24)
        return run_compliance(engine, catalog, state, store, ctx, now=lambda: at)  # run at `at`

    flowing = run(AT)
    assert portal(flowing) == dict.fromkeys(WATCHED, "pass")

    # The portal goes quiet. Inside the 24-hour window nothing changes yet...
    still = run(AT + timedelta(hours=20))
    assert portal(still) == dict.fromkeys(WATCHED, "pass")
    # ...after it, every live requirement fails, naming the silent sources.
    stopped = run(AT + timedelta(hours=27))
    assert portal(stopped) == dict.fromkeys(WATCHED, "fail")
    layer2 = next(s for s in stopped.systems if s.system_id == "dng-portal").layers["2"]
    assert layer2["reason"] == "layer2_logs" and "nginx.access" in layer2["params"]["stale"]
    assert {("dng-portal", r) for r in WATCHED} <= {
        (c.system_id, c.requirement_id) for c in stopped.changes if c.after == "fail"
    }

    # Logs come back: the next evaluation passes again.
    portal_logs(pipeline, AT + timedelta(hours=29))
    resumed = run(AT + timedelta(hours=30))
    assert portal(resumed) == dict.fromkeys(WATCHED, "pass")
    back = {
        (c.requirement_id, c.before, c.after)
        for c in resumed.changes
        if c.system_id == "dng-portal"
    }
    assert {(r, "fail", "pass") for r in WATCHED} <= back

    with state.session() as s:
        alerts = {
            a.rule_id for a in s.scalars(select(Alert).where(Alert.system_id == "dng-portal"))
        }
    assert set(WATCHED) <= alerts
