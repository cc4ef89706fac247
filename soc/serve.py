"""``soc up`` and ``soc dashboard``: the long-running processes of the embedded deployment."""

from __future__ import annotations

import logging

from collectors.service import CollectorService
from soc.config import Settings
from soc.demo import DEMO_EVIDENCE, DEMO_INVENTORY, write_demo_files
from soc.ingest_run import ingest_into
from soc.inventory import import_evidence, import_inventory, load_evidence, load_inventory
from soc.runtime import Platform
from soc.scheduler import Job, Scheduler
from soc_dashboard.accounts import DEMO_PASSWORD, ensure_bootstrap_admin, ensure_demo_users
from soc_dashboard.app import create_app
from soc_dashboard.server import serve

log = logging.getLogger(__name__)

COMPLIANCE_SECONDS = 3600.0  # compliance changes slowly; live facts use their own window


def load_demo_inventory(platform: Platform) -> None:
    """The worked Đà Nẵng inventory and evidence, so events are tagged and compliance has facts."""
    inventory = load_inventory(DEMO_INVENTORY)
    evidence, _lines = load_evidence(DEMO_EVIDENCE)
    with platform.state.session() as session:
        import_inventory(session, inventory)
    with platform.state.session() as session:
        import_evidence(session, evidence, str(DEMO_EVIDENCE))


def load_demo(platform: Platform) -> dict[str, dict[str, int]]:
    """Ingest the demo source files through the real pipeline (idempotent); return counters."""
    load_demo_inventory(platform)
    counts: dict[str, dict[str, int]] = {}
    for type_name, path in write_demo_files(platform.settings.home / "demo").items():
        counts[type_name] = ingest_into(platform, type_name, [path])
    return counts


def _serve_console(platform: Platform, host: str | None, port: int | None) -> None:
    settings = platform.settings
    host = host or settings.console.host
    port = port or settings.console.port
    app = create_app(
        settings, state=platform.state, store=platform.store, metrics=platform.metrics.exposition
    )
    print(
        f"console: http://{host}:{port}/  (Prometheus: /metrics with the bearer token in "
        f"{settings.home / 'secrets' / 'metrics-token'})",
        flush=True,
    )
    serve(app, host, port)


def run_up(settings: Settings, *, demo: bool, host: str | None, port: int | None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    platform = Platform.open(settings)
    scheduler = Scheduler(build_jobs(platform))
    collectors = CollectorService(platform, settings.sources) if settings.sources else None
    try:
        if demo:  # before the bootstrap, so the demo admin has the demo password too
            created = ensure_demo_users(platform.state)
            if created:
                print(f"demo accounts: {', '.join(created)} (password: {DEMO_PASSWORD})")
        ensure_bootstrap_admin(platform.state, settings.home)
        if demo:
            for type_name, counts in load_demo(platform).items():
                print(f"demo {type_name}: {counts}", flush=True)
        if collectors is not None:
            collectors.start_in_thread()
            print(f"collectors: {', '.join(s.name for s in settings.sources)}", flush=True)
        scheduler.start()
        _serve_console(platform, host, port)
    finally:
        if collectors is not None:
            collectors.stop_thread()
        scheduler.stop()
        platform.close()
    return 0


def run_dashboard(settings: Settings, *, host: str | None, port: int | None) -> int:
    platform = Platform.open(settings)
    try:
        ensure_bootstrap_admin(platform.state, settings.home)
        _serve_console(platform, host, port)
    finally:
        platform.close()
    return 0


def build_jobs(platform: Platform) -> list[Job]:
    """Scheduled work of ``soc up``: Sigma correlations, watched-folder YARA scans, compliance,
    retention."""
    from detections.jobs import scheduled_sigma_job
    from detections.yara.jobs import yara_watch_job
    from policies.compliance import compliance_job
    from soc.retention import retention_job

    compliance = compliance_job(platform.settings, platform.state, platform.store)
    jobs = [
        scheduled_sigma_job(platform),
        yara_watch_job(platform),
        Job("compliance", COMPLIANCE_SECONDS, compliance),
        retention_job(platform.settings, platform.store),
    ]
    return [job for job in jobs if job is not None]
