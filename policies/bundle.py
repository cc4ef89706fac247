"""The shipped policy bundle: every Rego module under policies/rego (tests apart) and the data the
policies read — the requirement catalogue index, triage weights and deadlines, sharing forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from policies.base import PolicyBundle
from policies.catalog_loader import CATALOG_DIR, engine_data, load_catalog
from policies.plan import plan_data
from soc.errors import ContentError
from soc.inventory import read_text

REGO_DIR = Path(__file__).parent / "rego"
MAX_MODULE_BYTES = 512 * 1024


def rego_files(root: Path = REGO_DIR, *, tests: bool = False) -> list[Path]:
    """Policy modules (or, with ``tests``, only the ``_test.rego`` files) in a stable order."""
    files = sorted(root.rglob("*.rego"))
    return [p for p in files if p.name.endswith("_test.rego") == tests]


def read_modules(paths: list[Path], root: Path = REGO_DIR) -> dict[str, str]:
    modules: dict[str, str] = {}
    for path in paths:
        if path.stat().st_size > MAX_MODULE_BYTES:
            raise ContentError(f"module larger than {MAX_MODULE_BYTES} bytes", source=path)
        modules[path.relative_to(root).as_posix()] = read_text(path)
    return modules


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(read_text(path))
    except yaml.YAMLError as e:
        raise ContentError(f"not valid YAML: {e}", source=path) from e


def _ns(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp()) * 1_000_000_000


def triage_data(path: Path = CATALOG_DIR / "triage.yaml") -> dict[str, Any]:
    raw = _yaml(path)
    try:
        reporting = dict(raw["reporting"])
        start = reporting.pop("personal_data_from")
        reporting["personal_data_from_ns"] = _ns(start)
        return {"priority": raw["priority"], "reporting": reporting}
    except (KeyError, TypeError) as e:
        raise ContentError(f"triage data lacks {e}", source=path) from e


def sharing_data(path: Path = CATALOG_DIR / "sharing.yaml") -> dict[str, Any]:
    raw = _yaml(path)
    if not isinstance(raw, dict) or "forms" not in raw:
        raise ContentError("sharing data needs 'forms'", source=path)
    return raw


# The embedded engine finds an object's key by comparing the keys in order: what the policies
# read for every system comes first.
_CATALOG_ORDER = (
    "slots", "plan", "criteria", "four_layer", "accepted_targets", "assessment_days_by_level",
    "source_category_of", "periods",
)  # fmt: skip


def bundle_data() -> dict[str, Any]:
    catalog = engine_data(load_catalog())
    merged = {**catalog, **plan_data(catalog)}
    ordered = {k: merged[k] for k in _CATALOG_ORDER if k in merged}
    return {
        "catalog": {**ordered, **merged},
        "triage_params": triage_data(),
        "sharing_params": sharing_data(),
    }


@lru_cache(maxsize=1)
def default_bundle() -> PolicyBundle:
    """Read once per process: the files do not change while the platform runs."""
    return PolicyBundle(modules=read_modules(rego_files()), data=bundle_data())
