"""Policy benchmark: the full requirement catalogue over generated systems on the embedded engine.

Run: ``.venv/bin/python bench/bench_policy.py [--systems 1000] [--workers 1 2] [--markdown]``.
Prints the compile time, the evaluation time of every system (classification, four layers, one
decision per requirement of its level) and the rendering time, per engine worker count.
Target (issue 5): 1,000 systems in under 2 s on regopy.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.bundle import default_bundle  # noqa: E402
from policies.catalog_loader import CONTROLS, load_catalog  # noqa: E402
from policies.engines.regopy import RegopyEngine  # noqa: E402
from policies.facts import day_start, rfc3339  # noqa: E402
from policies.render import render_system  # noqa: E402

AT = datetime(2026, 11, 20, 3, tzinfo=UTC)
KINDS = (
    "level_dossier", "security_regulation", "infosec_unit", "ir_team", "ir_plan", "soc_service",
    "assessment", "national_connection", "vulnerability_scan", "pentest", "training", "drill",
    "annual_report", "account_review", "restore_test", "budget",
)  # fmt: skip
DATASETS = ("nginx.access", "suricata.eve", "cisco.asa", "linux.auth", "windows.security")
CITIZEN = {
    "system_type": "citizen_service",
    "online_public_service_level": 4,
    "administrative_procedures": True,
    "personal_data_users": 120000,
    "personal_data_basic_subjects": 120000,
    "functions": ["web"],
}
SECRET = {
    "system_type": "infrastructure",
    "infrastructure_scope": "province",
    "state_secret_harm": "serious",
    "information_types": ["state_secret"],
}
SHAPES: list[dict[str, Any]] = [
    {"system_type": "internal", "information_types": ["public"]},
    {"system_type": "internal", "information_types": ["private"], "functions": ["email"]},
    CITIZEN,
    {"system_type": "infrastructure", "infrastructure_scope": "province", "functions": ["cloud"]},
    SECRET,
    {"system_type": "ics", "ics_construction_grade": "II", "functions": ["scada"]},
]


def _record(rng: random.Random, kind: str, n: int) -> dict[str, Any]:
    issued = date(2026, 11, 20) - timedelta(days=rng.randrange(10, 800))
    details: dict[str, Any] = {}
    if kind == "level_dossier":
        details = {
            "level": rng.randrange(1, 6),
            "components": ["overview", "design", "justification", "protection_plan"],
        }
    elif kind == "assessment":
        details = {
            "scope": rng.choice(["system", "organisation"]),
            "independent_of_operator": rng.random() < 0.7,
        }
    elif kind == "national_connection":
        details = {"target": rng.choice(["ncsc", "mps_ncc"])}
    elif kind == "budget":
        details = {"ratio": rng.choice([0.1, 0.15, 0.2])}
    rec: dict[str, Any] = {"id": f"{kind}-{n}", "issued": day_start(issued)}
    if details:
        rec["details"] = details
    if kind in ("soc_service", "assessment"):
        rec["provider" if kind == "soc_service" else "assessor"] = rng.choice(
            ["Công ty A", "Công ty B"]
        )
    return rec


def generated_system(rng: random.Random, n: int) -> dict[str, Any]:
    """One policy input shaped like policies.facts.build_facts output."""
    system = {"id": f"sys-{n:04d}", **rng.choice(SHAPES), "instrumentable": rng.random() < 0.95}
    if rng.random() < 0.85:
        system["approved_level"] = rng.randrange(1, 6)
    system["log_sources"] = rng.sample(DATASETS, rng.randrange(1, 4))
    system["hosted_shared"] = rng.random() < 0.5
    system["internet_facing"] = rng.random() < 0.6
    evidence: dict[str, list[dict[str, Any]]] = {}
    for kind in rng.sample(KINDS, rng.randrange(6, len(KINDS))):
        evidence[kind] = sorted(
            (_record(rng, kind, i) for i in range(rng.randrange(1, 3))),
            key=lambda r: r["issued"],
            reverse=True,
        )
    plan = _record(rng, "plan_deployment", n)
    controls = {
        c: {"id": plan["id"], "issued": plan["issued"], "state": "in_place"}
        for c in rng.sample(sorted(CONTROLS), 15)
    }
    sources = {
        ds: rfc3339(AT - timedelta(hours=rng.choice([1, 2, 40]))) for ds in system["log_sources"]
    }
    links = [
        {
            "id": f"l{i}",
            "sensor": f"ids-{i}",
            "last": rfc3339(AT - timedelta(hours=rng.choice([1, 50]))),
        }
        for i in range(rng.randrange(0, 3))
    ]
    oldest = rfc3339(AT - timedelta(days=rng.randrange(5, 500)))
    return {
        "date": rfc3339(AT),
        "profile": rng.choice(["current", "current", "legacy"]),
        "system": system,
        "evidence": evidence,
        "controls": controls,
        "network": {"zones": ["internal", "perimeter", "dmz", "internal_servers", "db_servers"]},
        "telemetry": {
            "window_hours": 24,
            "sources": sources,
            "links": links,
            "oldest_event": oldest,
        },
        "exchanges": {"last_ok": rfc3339(AT - timedelta(days=rng.randrange(1, 120)))},
        "incidents": [],
    }


def run(count: int, workers: int, seed: int = 5) -> dict[str, float]:
    rng = random.Random(seed)
    inputs = [generated_system(rng, n) for n in range(count)]
    catalog = load_catalog()
    bundle = default_bundle()
    engine = RegopyEngine(workers=workers)
    start = time.perf_counter()
    engine.load(bundle)
    compiled = time.perf_counter()
    outputs = list(engine.evaluate_many("system", inputs))
    evaluated = time.perf_counter()
    decisions = sum(len(o["decisions"]) for o in outputs)
    on = AT.date()
    for doc, out in zip(inputs, outputs, strict=True):
        render_system(catalog, doc["system"]["id"], doc["profile"], on, out)
    rendered = time.perf_counter()
    engine.close()
    return {
        "systems": count,
        "workers": workers,
        "decisions": decisions,
        "compile_s": compiled - start,
        "evaluate_s": evaluated - compiled,
        "render_s": rendered - evaluated,
        "per_system_ms": (evaluated - compiled) / count * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--markdown", action="store_true", help="print BENCHMARKS.md rows")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, regopy engine")
    rows = [run(args.systems, w) for w in args.workers]
    for r in rows:
        total = r["evaluate_s"] + r["render_s"]
        verdict = "meets" if total < 2.0 else "misses"
        print(
            f"{r['systems']} systems, {r['workers']} worker(s): compile {r['compile_s']:.2f} s, "
            f"evaluate {r['evaluate_s']:.2f} s ({r['per_system_ms']:.2f} ms/system, "
            f"{r['decisions']} decisions), render {r['render_s']:.2f} s → {total:.2f} s "
            f"({verdict} the 2 s target)"
        )
    if args.markdown:
        for r in rows:
            print(
                f"| policy: full catalogue, {r['systems']} systems, regopy ×{r['workers']} | "
                f"{r['evaluate_s'] + r['render_s']:.2f} s | {r['per_system_ms']:.2f} ms/system |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
