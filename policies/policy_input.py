"""The engine's input from the facts: data plumbing only — times become whole ages, expiry a flag,
fields no policy reads are left out — and systems are packed into batches evaluated by one query.
Every judgement on these numbers (windows, periods, levels, statuses) stays in the Rego."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from policies.base import PolicyEngine
from policies.plan import Layout
from soc.errors import PolicyError

NS = 1_000_000_000
DAY_NS = 86_400 * NS
BATCH_SIZE = 10  # the embedded engine takes input in time growing faster than its size
EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
_PARTIES = ("assessor", "provider")
# System attributes the policies never read (display and routing facts).
_SYSTEM_SKIP = frozenset({"id", "zone", "log_sources"})
# The embedded engine finds an object's key by comparing the keys in order: the attributes read
# for every system first, the rest after in their own order.
_SYSTEM_FIRST = (
    "system_type", "instrumentable", "functions", "information_types", "state_secret_harm",
    "hosted_shared", "internet_facing", "approved_level",
)  # fmt: skip


@lru_cache(maxsize=65_536)
def ns_of(text: str) -> int:
    """An RFC 3339 time as nanoseconds since the epoch, as Rego's time.parse_rfc3339_ns gives."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError) as e:
        raise PolicyError(f"not an RFC 3339 time: {text!r}") from e
    if moment.tzinfo is None:
        raise PolicyError(f"a time without an offset: {text!r}")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS + delta.microseconds * 1_000


def age_days(text: str, now_ns: int) -> int:
    """Whole days from a time to the evaluation moment (floored, as the policies count periods)."""
    return (now_ns - ns_of(text)) // DAY_NS


def silent_seconds(text: Any, now_ns: int) -> int | None:
    """Seconds since a last event (rounded up, so a window compares exactly); None: never seen."""
    if not isinstance(text, str):
        return None
    return -((ns_of(text) - now_ns) // NS)


def _record(rec: Mapping[str, Any], now_ns: int, details: frozenset[str]) -> list[Any]:
    """``[id, age in days]``, plus an object of what only some records have: ``expired``, a
    ``state`` other than in place, the ``details`` some policy reads, the assessor, the provider."""
    extras: dict[str, Any] = {}
    expires = rec.get("expires")
    if isinstance(expires, str) and ns_of(expires) < now_ns:
        extras["expired"] = True
    state = rec.get("state", "in_place")
    if state != "in_place":
        extras["state"] = state
    kept = {k: v for k, v in (rec.get("details") or {}).items() if k in details}
    if kept:
        extras["details"] = kept
    for party in _PARTIES:
        if rec.get(party):
            extras[party] = rec[party]
    lean = [rec["id"], age_days(rec["issued"], now_ns)]
    return [*lean, extras] if extras else lean


def _telemetry(doc: Mapping[str, Any], now_ns: int) -> dict[str, Any]:
    tel = doc.get("telemetry") or {}
    sources = tel.get("sources") or {}
    lean: dict[str, Any] = {
        "window_hours": tel.get("window_hours", 24),
        "sources": [
            [ds, silent_seconds(sources.get(ds), now_ns)]
            for ds in (doc.get("system") or {}).get("log_sources", [])
        ],
        "links": [
            [link["id"], silent_seconds(link.get("last"), now_ns)] for link in tel.get("links", [])
        ],
    }
    if tel.get("store_retention_days") is not None:
        lean["store_days"] = tel["store_retention_days"]
    oldest = tel.get("oldest_event")
    if isinstance(oldest, str):
        lean["held_days"] = age_days(oldest, now_ns)
    last = (doc.get("exchanges") or {}).get("last_ok")
    if isinstance(last, str):
        lean["exchange_age_days"] = age_days(last, now_ns)
    handling = tel.get("alert_handling")
    if handling:  # [high, acknowledged, median hours to acknowledge, oldest open hours]
        lean["alerts"] = [
            handling.get("high", 0),
            handling.get("acknowledged", 0),
            handling.get("median_ack_hours"),
            handling.get("oldest_open_hours"),
        ]
    return lean


def _system(system: Mapping[str, Any], now_ns: int) -> dict[str, Any]:
    """The attributes, without those equal to what the policies assume when one is absent (false,
    none, an empty list; an instrumentable system)."""
    lean = {
        k: v
        for k, v in system.items()
        if k not in _SYSTEM_SKIP and v is not False and v != [] and v is not None
    }
    if lean.get("state_secret_harm") == "none":
        del lean["state_secret_harm"]
    if system.get("instrumentable", True) is False:
        lean["instrumentable"] = False
    else:
        lean.pop("instrumentable", None)
    go_live = system.get("go_live")
    if isinstance(go_live, str):
        lean["go_live_age"] = age_days(go_live, now_ns)
    return {**{k: lean[k] for k in _SYSTEM_FIRST if k in lean}, **lean}


def system_input(doc: Mapping[str, Any], now_ns: int, layout: Layout) -> dict[str, Any]:
    """One system of a batch, from its facts (``policies.facts.SystemFacts.input``)."""
    try:
        evidence = doc.get("evidence") or {}
        controls = doc.get("controls") or {}
        item: dict[str, Any] = {  # most read first (the engine compares keys in order)
            "kinds": [
                [_record(r, now_ns, layout.details) for r in evidence[k]]
                if evidence.get(k)
                else None
                for k in layout.kinds
            ],
            "system": _system(doc["system"], now_ns),
            "controls": [
                _record(controls[c], now_ns, layout.details) if c in controls else None
                for c in layout.controls
            ],
            "telemetry": _telemetry(doc, now_ns),
        }
    except (KeyError, TypeError, AttributeError) as e:
        raise PolicyError(f"facts of a system lack {e}") from e
    zones = (doc.get("network") or {}).get("zones")
    if zones is not None:
        item["zones"] = zones
    if doc.get("incidents"):
        item["incidents"] = doc["incidents"]
    return item


def batches(
    docs: Sequence[Mapping[str, Any]], layout: Layout, size: int = BATCH_SIZE
) -> list[dict[str, Any]]:
    """Consecutive systems sharing the evaluation moment and profile, ``size`` per batch."""
    return list(iter_batches(docs, layout, size))


def iter_batches(
    docs: Iterable[Mapping[str, Any]], layout: Layout, size: int = BATCH_SIZE
) -> Iterator[dict[str, Any]]:
    """The batches one by one, each given out as soon as it is full, so an engine with worker
    processes starts on the first while the rest are built."""
    last: dict[str, Any] | None = None
    for doc in docs:
        date, profile = doc.get("date"), doc.get("profile")
        if not isinstance(date, str) or not isinstance(profile, str):
            raise PolicyError("facts of a system lack the evaluation date or profile")
        if last is not None and (last["date"], last["profile"]) != (date, profile):
            yield last
            last = None
        if last is None:
            last = {"date": date, "profile": profile, "layout": layout.key, "systems": []}
        last["systems"].append(system_input(doc, ns_of(date), layout))
        if len(last["systems"]) >= size:
            yield last
            last = None
    if last is not None:
        yield last


def results(outputs: Iterable[Any], batched: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The engine's batch answers flattened back to one result per system, in order. The policy
    answers each batch as one JSON text (``compliance/systems/encoded``)."""
    sizes = [len(batch["systems"]) for batch in batched]
    return list(_answers(outputs, sizes))


def _answers(outputs: Iterable[Any], sizes: Sequence[int]) -> Iterator[dict[str, Any]]:
    """One result per system from each batch's answer, as the answers arrive (``sizes[i]``, the
    number of systems of batch i, is known once that batch is built, before its answer)."""
    count = 0
    for count, output in enumerate(outputs, start=1):
        found = _decoded(output)
        if not isinstance(found, list) or count > len(sizes) or len(found) != sizes[count - 1]:
            raise _missing_results()
        for result in found:
            yield _flattened(result)
    if count != len(sizes):
        raise _missing_results()


def _missing_results() -> PolicyError:
    return PolicyError(
        "the policy engine returned no result for some systems",
        hint="the bundle and the facts must come from the same catalogue",
    )


# The names of a decision's parameters, by reason: the policies answer a decision as
# ``[id, status, reason, [values...]]`` (an array is far cheaper than an object for the embedded
# engine to build, copy and serialise), the values in this order; a decision may give fewer (a
# prefix). A layer requirement passes its layer's params object on unchanged.
DECISION_PARAMS: Mapping[str, tuple[str, ...]] = {
    "valid": ("record",),
    "not_in_place": ("state", "record"),
    "expired": ("record",),
    "outdated": ("age_days", "max_age_days", "record"),
    "missing": ("kind",),
    "missing_before_deadline": ("kind", "deadline"),
    "incomplete": ("missing", "record"),
    "below_minimum": ("field", "value", "minimum"),
    "not_equal": ("field", "expected", "record"),
    "all_valid": ("kinds",),
    "not_applicable": (),
    "unknown_check": ("type",),
    "no_go_live": (),
    "live_before_rule": ("go_live",),
    "order_unknown": ("first", "then"),
    "order_ok": ("first", "first_record", "then", "then_record", "then_date"),
    "order_wrong": ("first", "first_record", "then", "then_record", "then_date"),
    "zones_missing": ("missing",),
    "zones_too_few": ("count", "minimum"),
    "zones_ok": ("zones",),
    "level_unknown": (),
    "level_unapproved": ("approved", "computed", "criteria"),
    "level_lower": ("approved", "computed", "criteria"),
    "level_ok": ("approved", "computed", "criteria"),
    "not_instrumentable": (),
    "no_sources": (),
    "stale": ("stale", "window_hours"),
    "live": ("count", "window_hours"),
    "categories_missing": ("missing",),
    "categories_ok": ("categories",),
    "retention_unknown": ("min_days",),
    "retention_ok": ("held_days", "min_days"),
    "retention_short": ("store_days", "min_days"),
    "retention_building": ("held_days", "min_days"),
    "no_links": (),
    "ids_gap": ("links",),
    "ids_ok": ("count",),
    "no_incidents": (),
    "reports_late": ("late",),
    "reports_on_time": ("count",),
}


def decision(found: Any) -> list[Any]:
    """``[id, status, reason, params]`` with the params named, from the policy's decision."""
    try:
        rid, status, reason, values = found
    except (TypeError, ValueError) as e:
        raise PolicyError(f"the policy engine returned a malformed decision: {found!r}") from e
    if type(values) is dict:  # a layer requirement: the layer's own params
        return [rid, status, reason, values]
    names = DECISION_PARAMS.get(reason)
    if names is None or type(values) is not list or len(values) > len(names):
        raise PolicyError(f"the policy engine returned unnamed parameters: {found!r}")
    return [rid, status, reason, dict(zip(names, values, strict=False))]


def _flattened(result: Any) -> dict[str, Any]:
    """The policy answers a system as [classification, layers, decisions of each group of the
    plan...] (one array: the embedded engine copies every value put into a container)."""
    if not isinstance(result, list) or len(result) < 2:
        raise PolicyError("the policy engine returned a malformed result")
    return {
        "classification": result[0],
        "layers": result[1],
        "decisions": [decision(d) for group in result[2:] for d in group],
    }


def _decoded(output: Any) -> Any:
    if not isinstance(output, str):
        return output
    try:
        return orjson.loads(output)
    except orjson.JSONDecodeError as e:
        raise PolicyError(f"the policy engine returned unreadable JSON ({e})") from e


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector paused: building the input and reading the answers allocate
    many short-lived objects and no cycles, and the collections it would run cost ≈ 5 % of an
    evaluation."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate_systems(
    engine: PolicyEngine, docs: Sequence[Mapping[str, Any]], layout: Layout
) -> list[dict[str, Any]]:
    """The compliance result of each system's facts (classification, layers, decisions)."""
    with paused_gc():
        return list(stream_systems(engine, docs, layout))


def stream_systems(
    engine: PolicyEngine, docs: Iterable[Mapping[str, Any]], layout: Layout
) -> Iterator[dict[str, Any]]:
    """The result of each system, in order, given out as its batch's answer arrives: with worker
    processes the caller renders the first systems while the workers evaluate the rest. The
    caller pauses Python's collector around the whole (``paused_gc``)."""
    sizes: list[int] = []

    def sent() -> Iterator[dict[str, Any]]:
        for batch in iter_batches(docs, layout):
            sizes.append(len(batch["systems"]))
            yield batch

    return _answers(engine.evaluate_many("systems", sent()), sizes)
