"""The streaming Sigma engine: rules indexed by dataset (and Windows channel + EventID), each
bucket of rules one generated function; events only meet the rules that can match them.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import orjson

from detections.base import Match, RuleInfo, StreamingEngine
from detections.sigma.anchors import base_key, grams
from detections.sigma.codegen import CODEGEN_VERSION, ConstTable, bucket_source, build_const
from detections.sigma.compiler import CompiledRule
from detections.sigma.interpreter import evaluate
from detections.sigma.routing import dataset_matches
from detections.sigma.values import (
    NeedsInterpreter,
    compare,
    full_text,
    in_cidr,
    lookup,
    scalar_text,
    timestamp_part,
    windows_data,
)
from soc.ecs import Event

MAX_ROUTES = 10_000
BucketKey = tuple[str, str | None, str | None]  # (dataset pattern, channel, event id)
BucketFn = Callable[[Event, Any, Any, list[int]], None]
_HELPERS = {
    "_base": base_key,
    "_grams": grams,
    "_lookup": lookup,
    "_scalar": scalar_text,
    "_fulltext": full_text,
    "_cidr": in_cidr,
    "_cmp": compare,
    "_tspart": timestamp_part,
}


def bucket_keys(rule: CompiledRule) -> list[BucketKey]:
    channels: Iterable[str | None] = rule.channels if rule.channels is not None else (None,)
    event_ids: Iterable[str | None] = rule.event_ids if rule.event_ids is not None else (None,)
    return [(ds, ch, eid) for ds in rule.datasets for ch in channels for eid in event_ids]


class SigmaEngine(StreamingEngine):
    """Evaluates compiled single-event Sigma rules on batches of events."""

    NAME: ClassVar[str] = "sigma"

    def __init__(self, rules: Sequence[CompiledRule], *, code_cache: Path | None = None) -> None:
        self.compiled = list(rules)
        self.buckets: dict[BucketKey, list[int]] = {}
        for index, rule in enumerate(self.compiled):
            for key in bucket_keys(rule):
                self.buckets.setdefault(key, []).append(index)
        self._patterns = sorted({k[0] for k in self.buckets})
        self._functions = self._build(code_cache)
        self._routes: dict[
            tuple[str, str | None, str | None], tuple[tuple[BucketFn, BucketKey], ...]
        ] = {}
        self.fallbacks = 0  # events that needed the interpreter
        self.errors: dict[str, str] = {}  # rule id → last evaluation error

    # -- building ---------------------------------------------------------------------------
    def _digest(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{CODEGEN_VERSION}/{sys.version_info[:2]}/per-bucket".encode())
        for key in sorted(self.buckets, key=repr):
            h.update(repr(key).encode())
            for index in self.buckets[key]:
                h.update(orjson.dumps(self.compiled[index].expr))
        return h.hexdigest()

    def _build(self, cache_dir: Path | None) -> dict[BucketKey, BucketFn]:
        keys = sorted(self.buckets, key=repr)
        cached = cache_dir / f"buckets-{self._digest()}.marshal" if cache_dir else None
        code, specs = None, None
        if cached is not None and cached.is_file():
            try:
                code, specs = marshal.loads(cached.read_bytes())
            except (EOFError, ValueError, TypeError):
                code = None
        if code is None:
            consts = ConstTable()
            # one compile per bucket: a single huge module would need its whole AST in memory
            code = [
                compile(
                    bucket_source(
                        f"b{n}",
                        [(i, self.compiled[i].expr) for i in self.buckets[key]],
                        key[0].startswith("windows."),
                        consts,
                    ),
                    f"<sigma-bucket-{n}>",
                    "exec",
                )
                for n, key in enumerate(keys)
            ]
            specs = consts.specs
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(".tmp")
                tmp.write_bytes(marshal.dumps((code, specs)))
                tmp.replace(cached)
        namespace: dict[str, Any] = dict(_HELPERS)
        namespace.update({name: build_const(spec) for name, spec in (specs or {}).items()})
        for bucket_code in code:
            exec(bucket_code, namespace)  # our own generated code (codegen.py), never rule text
        return {key: namespace[f"b{n}"] for n, key in enumerate(keys)}

    # -- matching ---------------------------------------------------------------------------
    def rules(self) -> Iterable[RuleInfo]:
        seen: dict[str, RuleInfo] = {}
        for rule in self.compiled:
            seen.setdefault(rule.info.id, rule.info)
        return seen.values()

    def _resolve(
        self, dataset: str, channel: str | None, event_id: str | None
    ) -> tuple[tuple[BucketFn, BucketKey], ...]:
        out = []
        for pattern in self._patterns:
            if not dataset_matches(pattern, dataset):
                continue
            for key in (
                (pattern, channel, event_id),
                (pattern, channel, None),
                (pattern, None, event_id),
                (pattern, None, None),
            ):
                fn = self._functions.get(key)
                if fn is not None and (fn, key) not in out:
                    out.append((fn, key))
        return tuple(out)

    def candidates(self, ev: Event) -> tuple[tuple[BucketFn, BucketKey], ...]:
        dataset = (ev.get("event") or {}).get("dataset") or ""
        winlog, _ = windows_data(ev) if dataset.startswith("windows.") else ({}, {})
        channel = str(winlog.get("channel") or "").lower() or None if winlog else None
        eid = winlog.get("event_id") if winlog else None
        route = (dataset, channel, None if eid is None else str(eid))
        found = self._routes.get(route)
        if found is None:
            if len(self._routes) >= MAX_ROUTES:  # odd channels/ids must not grow memory forever
                self._routes.clear()
            found = self._routes[route] = self._resolve(*route)
        return found

    def match_event(self, ev: Event) -> list[int]:
        """Indexes (into ``compiled``) of the rules that fire on one event."""
        found = self.candidates(ev)
        if not found:
            return []
        winlog, data = windows_data(ev)
        hits: list[int] = []
        for fn, _key in found:
            try:
                fn(ev, winlog, data, hits)
            except Exception:  # lists, odd types: the interpreter decides
                del hits[:]
                return self._interpret(ev, found)
        return hits

    def _interpret(self, ev: Event, found: Sequence[tuple[BucketFn, BucketKey]]) -> list[int]:
        self.fallbacks += 1
        hits: list[int] = []
        for _, key in found:
            for index in self.buckets[key]:
                try:
                    if evaluate(self.compiled[index].expr, ev):
                        hits.append(index)
                except Exception as e:  # one broken rule must not stop the others
                    self.errors[self.compiled[index].info.id] = f"{type(e).__name__}: {e}"
        return hits

    def match(self, events: Sequence[Event]) -> Iterator[Match]:
        for ev in events:
            hits = self.match_event(ev)
            if not hits:
                continue
            seen: set[str] = set()
            for index in hits:
                info = self.compiled[index].info
                if info.id not in seen:
                    seen.add(info.id)
                    yield Match(info, ev)


__all__ = ["NeedsInterpreter", "SigmaEngine", "bucket_keys", "timestamp_part"]
