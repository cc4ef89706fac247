"""A corpus of compliance inputs for comparing two implementations of the policies decision by
decision: the benchmark's 1,000 generated systems, the same systems varied on every fact a check
reads (states, expiry, details, incidents, telemetry, classification attributes, dates in every
period of both profiles) and the Đà Nẵng demo inventory with and without live telemetry.

``python -m tests.policies.corpus dump FILE`` writes the decoded result of every input (one JSON
line per system); ``... compare FILE`` evaluates again and names every system whose result
differs. Used to check that a faster policy answers exactly as the one it replaces."""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.bench_policy import AT, generated_system
from policies.base import PolicyEngine
from policies.catalog_loader import CONTROLS
from policies.facts import FactsContext, build_facts, day_start, rfc3339
from policies.plan import Layout
from policies.policy_input import batches, results

# Moments in each period of both profiles' effective dates (and around the turn of profile).
DATES = (
    datetime(2017, 2, 1, 5, tzinfo=UTC),
    datetime(2019, 8, 1, 17, tzinfo=UTC),
    datetime(2023, 3, 1, tzinfo=UTC),
    datetime(2026, 6, 30, 16, 59, tzinfo=UTC),
    datetime(2026, 7, 20, 9, tzinfo=UTC),
    datetime(2026, 11, 20, 3, tzinfo=UTC),
    datetime(2027, 8, 1, 2, tzinfo=UTC),
)
FUNCTIONS = (
    "web", "email", "database", "data_integration", "datacenter", "cloud", "identity",
    "certificate", "scada",
)  # fmt: skip
DATASETS = ("nginx.access", "suricata.eve", "cisco.asa", "linux.auth", "fortinet.firewall")
ZONES = (
    "internal", "perimeter", "dmz", "internal_servers", "db_servers", "management",
    "device_management",
)  # fmt: skip
COMPONENTS = (
    "overview", "design", "justification", "protection_plan", "infosec_opinion",
    "related_systems", "threats", "justification_24x7",
)  # fmt: skip
PARTIES = ("Công ty A", "công ty a ", 'Công ty "B"', "C\\D", "Viettel")
EFFECTS = ("service_interruption", "integrity_loss", "reputation", "cascading")
DEADLINES = ("notify_5d", "emergency", "immediate", "initial_24h", "report_72h", "pdp_72h")


def _maybe(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _classification(rng: random.Random) -> dict[str, Any]:
    """Classification attributes drawn so that every criterion holds for some systems."""
    kind = rng.choice(["internal", "citizen_service", "infrastructure", "ics", "other"])
    found: dict[str, Any] = {"system_type": kind}
    found["information_types"] = rng.sample(
        ["public", "private", "personal", "state_secret"], rng.randrange(0, 3)
    )
    harms = ["none", "none", "harm", "serious", "especially_serious"]
    found["state_secret_harm"] = rng.choice(harms)
    if kind == "citizen_service":
        found["online_public_service_level"] = rng.randrange(1, 5)
        found["conditional_business_line"] = _maybe(rng, 0.3)
        found["personal_data_users"] = rng.choice([0, 500, 9_999, 10_000, 250_000])
        found["administrative_procedures"] = _maybe(rng, 0.5)
        if _maybe(rng, 0.6):
            found["personal_data_basic_subjects"] = rng.choice([10, 99_999, 100_000])
        if _maybe(rng, 0.3):
            found["personal_data_sensitive_subjects"] = rng.choice([5, 10_000])
    if kind == "infrastructure":
        found["infrastructure_scope"] = rng.choice(
            ["single_org", "sector", "province", "multi_province", "national",
             "international_interconnect"]
        )  # fmt: skip
        found["ops_24x7"] = _maybe(rng, 0.5)
    if kind == "ics":
        found["ics_construction_grade"] = rng.choice(["I", "II", "III", "IV", "special", "V"])
        found["national_security_works"] = _maybe(rng, 0.2)
    for flag in ("national_egov_24x7", "national_important_data", "pm_designated"):
        if _maybe(rng, 0.05):
            found[flag] = True
    if _maybe(rng, 0.05):
        found["risk_assessed_level"] = rng.randrange(1, 6)
    return found


def _record(rng: random.Random, kind: str, n: int, at: date) -> dict[str, Any]:
    issued = at - timedelta(days=rng.choice([0, 1, 30, 183, 184, 365, 366, 400, 401, 731, 2000]))
    rec: dict[str, Any] = {"id": f"{kind}-{n}", "issued": day_start(issued)}
    if _maybe(rng, 0.15):
        rec["expires"] = day_start(at + timedelta(days=rng.choice([-30, 0, 1, 90])))
    details: dict[str, Any] = {}
    if kind == "level_dossier":
        details["components"] = rng.sample(COMPONENTS, rng.randrange(3, len(COMPONENTS) + 1))
    elif kind == "assessment":
        details["scope"] = rng.choice(["system", "system", "organisation"])
        if _maybe(rng, 0.8):
            details["independent_of_operator"] = _maybe(rng, 0.7)
        rec["assessor"] = rng.choice(PARTIES)
        if _maybe(rng, 0.3):
            rec["provider"] = rng.choice(PARTIES)
    elif kind == "national_connection":
        details["target"] = rng.choice(["ncsc", "vncert", "mps_ncc", "city_cc", "other"])
    elif kind == "budget":
        details["ratio"] = rng.choice([0.1, 0.15, 0.2])
    elif kind == "soc_service":
        rec["provider"] = rng.choice(PARTIES)
    if _maybe(rng, 0.1):
        details["noise"] = "not read"
    if details:
        rec["details"] = details
    return rec


def _incident(rng: random.Random, n: int, at: datetime) -> dict[str, Any]:
    detected = at - timedelta(hours=rng.choice([1, 30, 100, 200, 2000, 8000]))
    reports = {}
    for deadline in rng.sample(DEADLINES, rng.randrange(0, 4)):
        reports[deadline] = rfc3339(detected + timedelta(hours=rng.choice([0, 20, 70, 100, 150])))
    return {
        "id": f"inc-{n}",
        "detected": rfc3339(detected),
        "confirmed": _maybe(rng, 0.85),
        "effects": rng.sample(EFFECTS, rng.randrange(0, 3)),
        "owner_unable": _maybe(rng, 0.3),
        "national_list": _maybe(rng, 0.2),
        "national_security": _maybe(rng, 0.1),
        "serious_disruption": _maybe(rng, 0.1),
        "personal_data_breach": _maybe(rng, 0.2),
        "reports": reports,
    }


def varied_system(rng: random.Random, n: int, at: datetime, profile: str) -> dict[str, Any]:
    """A system varied on every fact some check reads, evaluated at ``at`` under ``profile``."""
    day = at.date()
    system: dict[str, Any] = {"id": f"var-{n:04d}", **_classification(rng)}
    system["instrumentable"] = _maybe(rng, 0.9)
    if _maybe(rng, 0.8):
        system["approved_level"] = rng.randrange(0, 6)
    system["log_sources"] = rng.sample(DATASETS, rng.randrange(0, 4))
    system["hosted_shared"] = _maybe(rng, 0.4)
    system["internet_facing"] = _maybe(rng, 0.6)
    system["functions"] = rng.sample(FUNCTIONS, rng.randrange(0, 3))
    if _maybe(rng, 0.6):
        live = day - timedelta(days=rng.choice([10, 1500, 4000]))
        system["go_live"], system["go_live_on"] = day_start(live), live.isoformat()
    evidence: dict[str, list[dict[str, Any]]] = {}
    kinds = (
        "level_dossier", "security_regulation", "infosec_unit", "ir_team", "ir_plan",
        "soc_service", "assessment", "national_connection", "vulnerability_scan", "pentest",
        "training", "drill", "annual_report", "account_review", "restore_test", "budget",
        "plan_deployment", "focal_point", "network_membership", "law116_conformity",
        "monitoring_report", "certification",
    )  # fmt: skip
    for kind in rng.sample(kinds, rng.randrange(0, len(kinds))):
        evidence[kind] = sorted(
            (_record(rng, kind, i, day) for i in range(rng.randrange(1, 4))),
            key=lambda r: r["issued"],
            reverse=True,
        )
    controls: dict[str, dict[str, Any]] = {}
    for c in rng.sample(sorted(CONTROLS), rng.randrange(0, len(CONTROLS))):
        rec = _record(rng, "control", len(controls), day)
        controls[c] = {
            "id": rec["id"],
            "issued": rec["issued"],
            "state": rng.choice(["in_place", "in_place", "in_place", "planned", "absent"]),
            **({"expires": rec["expires"]} if "expires" in rec else {}),
        }
    sources = {
        ds: rfc3339(at - timedelta(seconds=rng.choice([60, 86_399, 86_400, 86_401, 200_000])))
        for ds in system["log_sources"]
        if _maybe(rng, 0.85)
    }
    links = []
    for i in range(rng.randrange(0, 3)):
        link: dict[str, Any] = {"id": f"l{i}"}
        if _maybe(rng, 0.8):
            link["sensor"] = f"ids-{i}"
            if _maybe(rng, 0.8):
                link["last"] = rfc3339(at - timedelta(hours=rng.choice([1, 23, 25, 50])))
        links.append(link)
    telemetry: dict[str, Any] = {
        "window_hours": rng.choice([24, 24, 48]),
        "sources": sources,
        "links": links,
        "store_retention_days": rng.choice([None, None, 60, 400]),
    }
    if _maybe(rng, 0.8):
        telemetry["oldest_event"] = rfc3339(at - timedelta(days=rng.choice([5, 29, 30, 91, 400])))
    doc: dict[str, Any] = {
        "date": rfc3339(at),
        "profile": profile,
        "system": system,
        "evidence": evidence,
        "controls": controls,
        "telemetry": telemetry,
        "exchanges": (
            {"last_ok": rfc3339(at - timedelta(days=rng.choice([1, 92, 93, 300])))}
            if _maybe(rng, 0.7)
            else {}
        ),
        "incidents": [_incident(rng, i, at) for i in range(rng.choice([0, 0, 0, 1, 3]))],
    }
    if _maybe(rng, 0.8):
        doc["network"] = {"zones": rng.sample(ZONES, rng.randrange(0, len(ZONES) + 1))}
    return doc


def generated(count: int = 1000) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The benchmark's systems under each profile, then varied systems at every date."""
    for profile in ("current", "legacy"):
        rng = random.Random(5)
        docs = [generated_system(rng, n) for n in range(count)]
        for doc in docs:
            doc["profile"] = profile
        yield f"bench-{profile}", docs
    rng = random.Random(11)
    for at in DATES:
        for profile in ("current", "legacy"):
            docs = [varied_system(rng, n, at, profile) for n in range(count // 4)]
            yield f"varied-{profile}-{at:%Y%m%d}", docs


def demo() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The Đà Nẵng inventory and evidence, with and without live telemetry, both profiles."""
    from soc.stores.sqlite import SqliteEventStore
    from tests.policies.conftest import demo_state, feed_demo

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        state = demo_state(directory)
        store = SqliteEventStore(directory / "events.db")
        feed_demo(store, AT, skip=("dng-camera",))
        try:
            for at in (AT, AT + timedelta(days=1), datetime(2026, 3, 1, tzinfo=UTC)):
                for profile in ("current", "legacy"):
                    for live in (store, None):
                        with state.session() as s:
                            ctx = FactsContext(at=at, profile=profile)
                            facts = build_facts(s, live, ctx)
                        tag = "live" if live else "silent"
                        yield f"demo-{profile}-{at:%Y%m%d}-{tag}", [f.input for f in facts]
        finally:
            store.close()


def corpus(count: int = 1000) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    yield from generated(count)
    yield from demo()


def decoded(engine: PolicyEngine, layout: Layout, count: int = 1000) -> Iterator[tuple[str, bytes]]:
    """(``set:n:system id``, the canonical JSON of its decoded result) for the whole corpus."""
    for name, docs in corpus(count):
        batched = batches(docs, layout)
        found = results(engine.evaluate_many("systems", batched), batched)
        for n, (doc, result) in enumerate(zip(docs, found, strict=True)):
            key = f"{name}:{n}:{doc['system']['id']}"
            yield key, orjson.dumps(result, option=orjson.OPT_SORT_KEYS)


def _engine(workers: int, rego: Path | None) -> tuple[PolicyEngine, Layout]:
    from dataclasses import replace

    from policies.bundle import default_bundle, read_modules, rego_files
    from policies.catalog_loader import load_catalog
    from policies.engines.regopy import RegopyEngine
    from policies.plan import layout_for

    bundle = default_bundle()
    if rego is not None:  # another version of the policies, on the same data
        bundle = replace(bundle, modules=read_modules(rego_files(rego), rego))
    engine = RegopyEngine(workers=workers)
    engine.load(bundle)
    return engine, layout_for(load_catalog())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["dump", "compare"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rego", type=Path, help="evaluate the Rego modules under this directory")
    args = parser.parse_args()
    engine, layout = _engine(args.workers, args.rego)
    digest = hashlib.sha256()
    try:
        if args.action == "dump":
            with args.file.open("wb") as out:
                for key, text in decoded(engine, layout, args.systems):
                    out.write(orjson.dumps([key, orjson.loads(text)]) + b"\n")
                    digest.update(text)
            print(f"written {args.file}; sha256 {digest.hexdigest()}")
            return 0
        expected = {}
        with args.file.open("rb") as f:
            for line in f:
                key, value = orjson.loads(line)
                expected[key] = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        differ, seen = [], 0
        for key, text in decoded(engine, layout, args.systems):
            seen += 1
            if expected.get(key) != text:
                differ.append(key)
                if len(differ) <= 5:
                    print(f"DIFFERS {key}\n  was {expected.get(key)!r}\n  now {text!r}")
        missing = len(expected) - seen
        print(f"{seen} results compared, {len(differ)} differ, {missing} not produced")
        return 1 if differ or missing else 0
    finally:
        engine.close()


if __name__ == "__main__":
    sys.exit(main())
