"""``soc policy test``: run every ``test_`` rule of the ``_test.rego`` files with regopy and report
like pytest. A failing ``test_x`` prints ``test_x_offenders`` when its package defines one."""

from __future__ import annotations

import ctypes
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from regopy import Interpreter, RegoError

from policies.bundle import REGO_DIR, bundle_data, read_modules, rego_files
from policies.engines.regopy import explain
from soc.errors import PolicyError

_PACKAGE = re.compile(r"^package\s+([A-Za-z0-9_.]+)", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_[A-Za-z0-9_]+)\s+(?:if\b|:=|=|\{)", re.MULTILINE)
_TOP_RULE = re.compile(r"^([a-z_][A-Za-z0-9_]*)\s*(?::=|\bif\b)", re.MULTILINE)
_WITH_AS = re.compile(r"\bwith\s+[A-Za-z0-9_.\[\]\"]+\s+as\s+([a-z_][A-Za-z0-9_]*)\b(?!\s*[.(\[])")

Outcome = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class TestResult:
    file: str
    name: str
    outcome: Outcome
    detail: str = ""
    seconds: float = 0.0

    @property
    def nodeid(self) -> str:
        return f"{self.file}::{self.name}"


def discover(path: Path) -> tuple[str, list[str]]:
    """The package of a test file and its test rules, in file order, each once."""
    text = path.read_text(encoding="utf-8")
    match = _PACKAGE.search(text)
    if not match:
        raise PolicyError("no package line", source=path)
    names = list(dict.fromkeys(_TEST_RULE.findall(text)))
    return match.group(1), names


def lint(path: Path) -> list[str]:
    """regopy 1.5 evaluates ``with x as <package rule>`` to undefined: bind a local first."""
    text = path.read_text(encoding="utf-8")
    rules = set(_TOP_RULE.findall(text))
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for name in _WITH_AS.findall(line):
            if name in rules:
                problems.append(f"line {number}: 'with ... as {name}' names a package rule")
    return problems


_HELPER = re.compile(r"^(_[A-Za-z0-9_]+|[a-z][A-Za-z0-9_]*(?=\())", re.MULTILINE)


def shared_helpers(paths: list[Path], root: Path) -> list[TestResult]:
    """regopy 1.5 confuses a function or private rule with one of the same name in another
    package (wrong answers, crashes): each such name must be defined in one module only."""
    seen: dict[str, str] = {}
    problems: list[TestResult] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        for name in sorted(set(_HELPER.findall(path.read_text(encoding="utf-8")))):
            if name in seen and not name.startswith("test_"):
                detail = f"{name!r} is also defined in {seen[name]}: rename one"
                problems.append(TestResult(rel, "lint", "error", detail))
            seen.setdefault(name, rel)
    return problems


_OFFENDERS = re.compile(r"^(test_[A-Za-z0-9_]+_offenders)\s*:=", re.MULTILINE)


def _entry(interpreter: Any, bundle: Any, path: str) -> tuple[bool, Any, str]:
    """Run one compiled entrypoint: (ok, value or None when undefined, error text)."""
    from regopy import rego_shared as native

    impl = native.rego_bundle_query_entrypoint(interpreter._impl, bundle._impl, path)
    try:
        if not native.rego_output_ok(impl):
            return False, None, native.rego_get_error(interpreter._impl)
        size = native.rego.regoOutputJSONSize(impl)
        buffer = ctypes.create_string_buffer(size)
        native.rego.regoOutputJSON(impl, buffer, size)
        text = buffer.value.decode("utf-8")
    finally:
        native.rego_free_output(impl)
    if text.strip() == "undefined":
        return True, None, ""
    if text.startswith("(error"):
        return False, None, text
    try:
        return True, json.loads(text).get("expressions", [None])[0], ""
    except (json.JSONDecodeError, AttributeError) as e:
        return False, None, f"unreadable output: {e}"


@dataclass(frozen=True)
class _Case:
    file: str
    package: str
    name: str
    offenders: bool

    @property
    def path(self) -> str:
        return f"{self.package.replace('.', '/')}/{self.name}"


def _judge(
    interpreter: Any, bundle: Any, case: _Case, modules: dict[str, str]
) -> tuple[Outcome, str]:
    ok, value, error = _entry(interpreter, bundle, case.path)
    if not ok:
        return "error", str(explain(error, modules))
    if value is True:
        return "passed", ""
    detail = "undefined" if value is None else f"value {value!r}"
    if case.offenders:
        _, offenders, _ = _entry(interpreter, bundle, f"{case.path}_offenders")
        if offenders not in (None, [], {}):
            detail += f"; offenders: {offenders}"
    return "failed", detail


def _cases(root: Path, keyword: str | None) -> tuple[list[_Case], list[TestResult]]:
    cases: list[_Case] = []
    problems = shared_helpers(rego_files(root) + rego_files(root, tests=True), root)
    for path in rego_files(root, tests=True):
        rel = path.relative_to(root).as_posix()
        package, names = discover(path)
        problems += [TestResult(rel, "lint", "error", p) for p in lint(path)]
        with_offenders = set(_OFFENDERS.findall(path.read_text(encoding="utf-8")))
        for name in names:
            if name.endswith("_offenders") or (keyword and keyword not in f"{rel}::{name}"):
                continue
            cases.append(_Case(rel, package, name, f"{name}_offenders" in with_offenders))
    return cases, problems


def build_interpreter(root: Path = REGO_DIR) -> tuple[Any, dict[str, str]]:
    modules = read_modules(rego_files(root) + rego_files(root, tests=True), root)
    interpreter = Interpreter()
    interpreter.add_data(bundle_data())
    for name, source in modules.items():
        try:
            interpreter.add_module(name, source)
        except RegoError as e:
            raise explain(str(e), modules) from e
    return interpreter, modules


def run_tests(
    root: Path = REGO_DIR,
    *,
    keyword: str | None = None,
    report: Callable[[TestResult], None] | None = None,
) -> list[TestResult]:
    """Compile every module and test once, then run each test rule (those matching ``keyword``).
    A keyword no test matches compiles nothing: the lint findings alone are reported."""
    cases, results = _cases(root, keyword)
    if not cases:
        for problem in results:
            if report:
                report(problem)
        return results
    interpreter, modules = build_interpreter(root)
    entrypoints = [c.path for c in cases] + [f"{c.path}_offenders" for c in cases if c.offenders]
    try:
        bundle = interpreter.build("x := true", entrypoints)
    except RegoError as e:
        raise explain(str(e), modules) from e
    for problem in results:
        if report:
            report(problem)
    for case in cases:
        start = time.perf_counter()
        outcome, detail = _judge(interpreter, bundle, case, modules)
        result = TestResult(case.file, case.name, outcome, detail, time.perf_counter() - start)
        results.append(result)
        if report:
            report(result)
    return results


def summary(results: list[TestResult], seconds: float) -> str:
    counts = {k: sum(1 for r in results if r.outcome == k) for k in ("passed", "failed", "error")}
    parts = [f"{n} {k}" for k, n in (("failed", counts["failed"]), ("passed", counts["passed"]),
                                       ("error", counts["error"])) if n]  # fmt: skip
    return f"{', '.join(parts) or 'no tests ran'} in {seconds:.2f}s"
