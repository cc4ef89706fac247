"""The embedded engine: rego-cpp through regopy, each query compiled once into a bundle and run per
input. Works around regopy 1.5 quirks: input is built here (escaped as rego-cpp keeps strings, and
faster), error outputs are read from the interpreter (reading them from the output crashes) and
output JSON is parsed here so a bad document is a PolicyError."""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from itertools import chain, islice, repeat
from typing import Any

import orjson
from regopy import Interpreter, RegoError
from regopy import rego_shared as native

from policies.base import PolicyBundle, PolicyEngine
from policies.policy_input import paused_gc
from soc.config import PolicySettings
from soc.errors import PolicyError

_ERROR_AT = re.compile(r"\(error \d+:([^|\s]+)\|(\d+)\|")
_ERROR_MSG = re.compile(r"\(errormsg \d+:([^)]*)\)")
# rego-cpp keeps a string as its JSON text (data and policy literals arrive escaped) but regopy
# hands input strings over raw: a quote, backslash or control character would then compare unlike
# the same text in data and break the output JSON. Those strings go over escaped.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]').search


def explain(error: str, modules: Mapping[str, str]) -> PolicyError:
    """Turn rego-cpp's S-expression error into one line with the module and line."""
    where = _ERROR_AT.search(error)
    what = _ERROR_MSG.search(error)
    message = what.group(1).strip() if what else (error.strip().splitlines() or ["error"])[0]
    if where and where.group(1) in modules:
        name, offset = where.group(1), int(where.group(2))
        line = modules[name].encode("utf-8")[:offset].decode("utf-8", "replace").count("\n") + 1
        return PolicyError(message, source=name, line=line)
    return PolicyError(message[:500])


def _text(value: str) -> bytes:
    if _NEEDS_ESCAPE(value):
        value = json.dumps(value, ensure_ascii=False)[1:-1]
    return value.encode("utf-8")


class _InputWriter:
    """Turns a JSON-like value into a rego-cpp input handle with one C call per node (regopy's
    own builder makes two Python calls and a buffer copy per node)."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.scalars: dict[type, Callable[[Any, Any], int]] = {
            bool: lib.regoInputBoolean,
            int: lib.regoInputInt,
            float: lib.regoInputFloat,
        }

    def handle(self, value: Any) -> Any:
        handle = self.lib.regoNewInput()
        try:
            if self._add(handle, value):
                raise PolicyError("input rejected by the engine")
        except BaseException:
            self.lib.regoFreeInput(handle)
            raise
        return handle

    def _add(self, handle: Any, value: Any) -> int:
        kind = type(value)
        lib = self.lib
        if kind is str:
            return int(lib.regoInputString(handle, _text(value)))
        if kind is dict:
            failed = 0
            for key, item in value.items():
                failed |= lib.regoInputString(handle, _text(str(key)))
                failed |= self._add(handle, item)
                failed |= lib.regoInputObjectItem(handle)
            return failed | int(lib.regoInputObject(handle, len(value)))
        if kind is list or kind is tuple:
            failed = 0
            for item in value:
                failed |= self._add(handle, item)
            return failed | int(lib.regoInputArray(handle, len(value)))
        if value is None:
            return int(lib.regoInputNull(handle))
        put = self.scalars.get(kind)
        if put is None:
            raise PolicyError(f"input rejected: {kind.__name__} is not JSON")
        return int(put(handle, value))


_writer = _InputWriter(native.rego)


MAX_AUTO_WORKERS = 4
# Below this many inputs (batches of systems) the calling process evaluates alone: starting and
# compiling a worker costs more than it saves (the Đà Nẵng demo's 12 systems are 2 batches).
PARALLEL_FROM = 20


def auto_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


class RegopyEngine(PolicyEngine):
    NAME = "regopy"

    def __init__(self, *, workers: int = 1, parallel_from: int = PARALLEL_FROM) -> None:
        self.workers = max(1, workers)
        self.parallel_from = max(1, parallel_from)
        self._interpreter: Any = None
        self._compiled: dict[str, Any] = {}
        self._bundle: PolicyBundle | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: PolicySettings) -> RegopyEngine:
        return cls(workers=settings.workers or auto_workers())

    def load(self, bundle: PolicyBundle) -> None:
        interpreter = Interpreter()
        try:
            interpreter.add_data(dict(bundle.data))
        except RegoError as e:
            raise PolicyError(f"data rejected: {str(e)[:300]}") from e
        for name, source in bundle.modules.items():
            try:
                interpreter.add_module(name, source)
            except RegoError as e:
                raise explain(str(e), bundle.modules) from e
        compiled = {}
        for query, path in bundle.queries.items():
            try:
                compiled[query] = interpreter.build(f"x := data.{path.replace('/', '.')}", [])
            except RegoError as e:
                raise explain(str(e), bundle.modules) from e
        with self._lock:
            self._interpreter, self._compiled, self._bundle = interpreter, compiled, bundle
            pool, self._pool = self._pool, None  # workers compiled the previous bundle
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def evaluate(self, query: str, input_doc: Mapping[str, Any]) -> Any:
        compiled = self._compiled.get(query)
        if compiled is None:
            raise PolicyError(f"no compiled query {query!r}", hint="load the bundle first")
        handle = _writer.handle(dict(input_doc))
        with self._lock:
            try:
                native.rego_set_input(self._interpreter._impl, handle)
            except RegoError as e:
                raise PolicyError(f"input rejected: {e}") from e
            finally:
                native.rego.regoFreeInput(handle)
            impl = native.rego_bundle_query(self._interpreter._impl, compiled._impl)
            return self._read(impl, query)

    def _read(self, impl: Any, query: str) -> Any:
        try:
            if not native.rego_output_ok(impl):
                error = native.rego_get_error(self._interpreter._impl)
                raise explain(error, self._bundle.modules if self._bundle else {})
            size = native.rego.regoOutputJSONSize(impl)
            buffer = ctypes.create_string_buffer(size)
            native.rego.regoOutputJSON(impl, buffer, size)
            text = buffer.value.decode("utf-8")
        finally:
            native.rego_free_output(impl)
        if text.strip() == "undefined":
            return None
        if text.startswith("(error"):
            # regopy 1.5 flags some runtime errors (recursion, conflicts) as "ok" outputs.
            raise explain(text, self._bundle.modules if self._bundle else {})
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            raise PolicyError(
                f"{query}: the engine returned unreadable JSON ({e.msg})",
                hint="a sprintf of a string passed as a function argument keeps its quotes",
            ) from e
        result = doc[0] if isinstance(doc, list) else doc
        return (result or {}).get("bindings", {}).get("x")

    def evaluate_many(self, query: str, inputs: Iterable[Mapping[str, Any]]) -> Iterator[Any]:
        """Answers in input order. With workers, each input is sent as soon as the caller's
        iterable gives it (the first are evaluated while the rest are built) and each answer is
        given out as it arrives (the caller reads it while the workers go on)."""
        pending = iter(inputs)
        head = list(islice(pending, self.parallel_from))
        docs = chain(head, pending)
        if self.workers == 1 or self._bundle is None or len(head) < self.parallel_from:
            yield from super().evaluate_many(query, docs)
            return
        # One input a task: the workers stay busy to the end (a few large chunks left one
        # worker alone with the last), and sending a task costs ≈ 0.1 ms against ≈ 40 ms
        # for a batch of 10 systems.
        plain = (dict(d) for d in docs)  # plain dicts to send to the workers
        yield from self._workers().map(_worker_eval, repeat(query), plain)

    def _workers(self) -> ProcessPoolExecutor:
        """The worker processes, started on first use and kept: each compiles the bundle once."""
        with self._lock:
            if self._pool is None:
                bundle = self._bundle
                if bundle is None:
                    raise PolicyError("no bundle loaded", hint="load the bundle first")
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    # spawned, not forked: the caller may be `soc up`, whose other threads
                    # (console, collectors) could hold locks a forked child would inherit
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=partial(_worker_init, bundle),
                )
            return self._pool

    def close(self) -> None:
        with self._lock:
            self._interpreter, self._compiled = None, {}
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)


_worker: RegopyEngine | None = None


def _worker_init(bundle: PolicyBundle) -> None:
    # Each process compiles its own bundle once: interpreters are not shared across processes.
    global _worker
    _worker = RegopyEngine()
    _worker.load(bundle)


def _worker_eval(query: str, doc: Mapping[str, Any]) -> Any:
    assert _worker is not None
    with paused_gc():
        return _worker.evaluate(query, doc)
