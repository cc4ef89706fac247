"""Generate one Python function per rule bucket: fields read and lower-cased once per event,
every rule of the bucket an inline boolean expression over local variables.

This is the streaming hot path. Anything unusual (a list value) raises ``NeedsInterpreter``
inside the generated code and the caller falls back to the interpreter for that event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from detections.sigma.anchors import Anchor, GramCounts, anchors
from detections.sigma.ir import fields_of
from detections.sigma.values import EVENT_DATA, networks

CODEGEN_VERSION = "cg-4"
_SIMPLE = ("eq", "sw", "ew", "ct")
_COST = {"eq": 1, "exists": 1, "null": 1, "sw": 2, "ew": 2, "ct": 3, "ref": 3, "cmp": 4}
_RE_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


# A constant the generated code needs that is not a literal: ("G"|"R", pattern, flags) is a
# compiled regex's fullmatch/search, ("N", cidrs, 0) a tuple of networks. Specs are plain data
# so a cached bucket can be rebuilt without recompiling rules.
ConstSpec = tuple[str, str, int]


@dataclass
class _Ctx:
    windows: bool
    slots: dict[str, int] = field(default_factory=dict)
    consts: dict[str, ConstSpec] = field(default_factory=dict)
    const_names: dict[ConstSpec, str] = field(default_factory=dict)
    # how a slot's original and lower-cased values are spelt: locals, or items of O / L
    spell: tuple[str, str] = ("o{}", "l{}")

    def var(self, i: int) -> tuple[str, str]:
        return self.spell[0].format(i), self.spell[1].format(i)

    def slot(self, path: str) -> int:
        return self.slots.setdefault(path, len(self.slots))

    def const(self, spec: ConstSpec) -> str:
        name = self.const_names.get(spec)
        if name is None:
            name = f"{spec[0]}{len(self.const_names)}"
            self.const_names[spec] = name
            self.consts[name] = spec
        return name


def build_const(spec: ConstSpec) -> Any:
    kind, arg, flags = spec
    if kind == "G":
        return re.compile(arg, flags).fullmatch
    if kind == "R":
        return re.compile(arg, flags).search
    return networks(tuple(arg.split(",")))


def _flags(text: str) -> int:
    out = 0
    for char in text:
        out |= _RE_FLAGS[char]
    return int(out)


def _access(path: str, windows: bool) -> str:
    if windows and path.startswith(EVENT_DATA):
        return f"ed.get({path[len(EVENT_DATA) :]!r})"
    if windows and path.startswith("winlog.") and path.count(".") == 1:
        return f"wl.get({path[7:]!r})"
    return f"_lookup(ev, {path!r})"


def cost(node: list[Any]) -> int:
    op = node[0]
    if op == "m":
        return 50 if node[1] is None else _COST.get(node[2], 10)
    if op in ("and", "or"):
        return sum(cost(c) for c in node[1:])
    if op == "not":
        return cost(node[1])
    return 0


def _simple_group(var_o: str, var_l: str, leaves: list[list[Any]]) -> str:
    """OR of eq/sw/ew/ct on one field → one guarded expression with tuple/set constants."""
    cased = leaves[0][4]
    var = var_o if cased else var_l
    by_kind: dict[str, list[str]] = {k: [] for k in _SIMPLE}
    for leaf in leaves:
        by_kind[leaf[2]].append(leaf[3])
    parts = []
    if by_kind["eq"]:
        values = sorted(set(by_kind["eq"]))
        parts.append(f"{var} == {values[0]!r}" if len(values) == 1 else f"{var} in {set(values)!r}")
    for kind, method in (("sw", "startswith"), ("ew", "endswith")):
        values = sorted(set(by_kind[kind]))
        if values:
            arg = repr(values[0]) if len(values) == 1 else repr(tuple(values))
            parts.append(f"{var}.{method}({arg})")
    parts.extend(f"{v!r} in {var}" for v in sorted(set(by_kind["ct"])))
    if len(parts) == 1 and not (by_kind["sw"] or by_kind["ew"] or by_kind["ct"]):
        return f"({parts[0]})"
    return f"({var} is not None and ({' or '.join(parts)}))"


def _leaf(node: list[Any], ctx: _Ctx) -> str:
    _, path, kind, arg, cased = node
    if path is None:
        return _keyword(kind, arg, ctx)
    if kind == "ts":
        return f"(_tspart(ev, {arg[0]!r}) == {arg[1]!r})"
    o, low = ctx.var(ctx.slot(path))
    if kind in _SIMPLE:
        return _simple_group(o, low, [node])
    if kind == "null":
        return f"({o} is None)"
    if kind == "exists":
        return f"({o} is not None)" if arg else f"({o} is None)"
    if kind == "glob":
        name = ctx.const(("G", arg, int(re.DOTALL)))
        var = o if cased else low
        return f"({var} is not None and {name}({var}) is not None)"
    if kind == "re":
        name = ctx.const(("R", arg[0], _flags(arg[1])))
        return f"({o} is not None and {name}({o}) is not None)"
    if kind == "cidr":
        name = ctx.const(("N", ",".join(arg), 0))
        return f"_cidr({o}, {name})"
    if kind == "cmp":
        return f"_cmp({o}, {arg[0]!r}, {arg[1]!r})"
    if kind == "ref":
        other = ctx.var(ctx.slot(arg[0]))[1]
        test = {"eq": f"{low} == {other}", "sw": f"{low}.startswith({other})"}.get(
            arg[1], f"{low}.endswith({other})"
        )
        return f"({low} is not None and {other} is not None and {test})"
    raise ValueError(f"unknown match kind {kind}")


def _keyword(kind: str, arg: Any, ctx: _Ctx) -> str:
    text = "(kw or (kw := _fulltext(ev)))"
    if kind in ("ct", "eq"):
        return f"({arg.lower()!r} in {text})"
    if kind == "exists":
        return "True"
    if kind == "glob":
        name = ctx.const(("G", arg.lower(), int(re.DOTALL)))
        return f"({name}({text}) is not None)"
    if kind == "re":
        name = ctx.const(("R", arg[0], _flags(arg[1])))
        return f"({name}({text}) is not None)"
    return f"({arg!r}.lower() in {text})"


def expression(node: list[Any], ctx: _Ctx) -> str:
    op = node[0]
    if op == "true":
        return "True"
    if op == "m":
        return _leaf(node, ctx)
    if op == "not":
        return f"(not {expression(node[1], ctx)})"
    if op == "and":
        children = sorted(node[1:], key=cost)
        return "(" + " and ".join(expression(c, ctx) for c in children) + ")"
    return _or(node, ctx)


def _or(node: list[Any], ctx: _Ctx) -> str:
    groups: dict[tuple[str, bool], list[list[Any]]] = {}
    others: list[list[Any]] = []
    for child in node[1:]:
        if child[0] == "m" and child[1] is not None and child[2] in _SIMPLE:
            groups.setdefault((child[1], bool(child[4])), []).append(child)
        else:
            others.append(child)
    parts = []
    for (path, _), leaves in groups.items():
        parts.append(_simple_group(*ctx.var(ctx.slot(path)), leaves))
    parts.extend(expression(c, ctx) for c in sorted(others, key=cost))
    return "(" + " or ".join(parts) + ")"


class ConstTable:
    """Non-literal constants shared by all buckets of one generated module."""

    def __init__(self) -> None:
        self.specs: dict[str, ConstSpec] = {}
        self.names: dict[ConstSpec, str] = {}


def bucket_source(
    name: str, rules: Sequence[tuple[int, list[Any]]], windows: bool, consts: ConstTable
) -> str:
    """Source of ``def name(ev, wl, ed, hits)`` appending the index of every rule that holds.

    Rules without an anchor are inline tests; anchored rules are small functions reached
    through dictionaries keyed by their anchors (see anchors.py).
    """
    ctx = _Ctx(windows, consts=consts.specs, const_names=consts.names)
    for _, expr in rules:  # every field any rule reads is loaded once, up front
        for path in sorted(fields_of(expr)):
            ctx.slot(path)
    counts = GramCounts()
    for _, expr in rules:
        counts.add_rule(expr)
    plain: list[tuple[int, Any, list[Anchor]]] = []
    anchored: list[tuple[int, Any, list[Anchor]]] = []
    for index, expr in rules:
        keys = anchors(expr, counts)
        (anchored if keys else plain).append((index, expr, keys or []))
    lines = [f"def {name}(ev, wl, ed, hits):", "    kw = None"]
    for path, i in ctx.slots.items():
        lines.append(f"    o{i} = {_access(path, windows)}")
        lines.append(f"    if o{i}.__class__ is not str and o{i} is not None: o{i} = _scalar(o{i})")
        lines.append(f"    l{i} = o{i}.lower() if o{i} is not None else None")
    for index, expr, _ in plain:
        lines.append(f"    if {expression(expr, ctx)}: hits.append({index})")
    if anchored:
        lines += _anchored_lookup(name, ctx, anchored)
    lines.append("")
    if anchored:
        lines += _anchored_functions(name, ctx, anchored)
    return "\n".join(lines) + "\n"


def _anchored_lookup(
    name: str, ctx: _Ctx, anchored: list[tuple[int, Any, list[Anchor]]]
) -> list[str]:
    tables = sorted({(path, mode) for _, _, keys in anchored for path, mode, _ in keys})
    lines = ["    c = ()"]
    for n, (path, mode) in enumerate(tables):
        low, table = ctx.var(ctx.slot(path))[1], f"{name}_a{n}"
        if mode == "tri":
            lines += [
                f"    g = _grams({low})",
                f"    if g is None: c = c + {table}_all",
                "    elif g:",
                f"        for k in g & {table}_keys: c = c + {table}[k]",
            ]
            continue
        key = low if mode == "eq" else f"_base({low})"
        lines.append(f"    x = {table}.get({key})")
        lines.append("    if x: c = c + x")
    lines += [
        "    if c:",
        f"        O = ({''.join(f'o{i}, ' for i in ctx.slots.values())})",
        f"        L = ({''.join(f'l{i}, ' for i in ctx.slots.values())})",
        "        done = set()",
        "        for fn, idx in c:",
        "            if idx not in done:",
        "                done.add(idx)",
        "                if fn(O, L, ev): hits.append(idx)",
    ]
    return lines


def _anchored_functions(
    name: str, ctx: _Ctx, anchored: list[tuple[int, Any, list[Anchor]]]
) -> list[str]:
    inner = _Ctx(ctx.windows, ctx.slots, ctx.consts, ctx.const_names, ("O[{}]", "L[{}]"))
    tables: dict[tuple[str, str], dict[str, list[str]]] = {}
    lines = []
    for index, expr, keys in anchored:
        fn = f"{name}_r{index}"
        lines += [
            f"def {fn}(O, L, ev):",
            "    kw = None",
            f"    return {expression(expr, inner)}",
            "",
        ]
        for path, mode, key in keys:
            tables.setdefault((path, mode), {}).setdefault(key, []).append(f"({fn}, {index})")
    for n, (_, table) in enumerate(sorted(tables.items())):
        items = ", ".join(f"{key!r}: ({', '.join(refs)},)" for key, refs in sorted(table.items()))
        lines.append(f"{name}_a{n} = {{{items}}}")
        lines.append(f"{name}_a{n}_keys = frozenset({name}_a{n})")
        lines.append(f"{name}_a{n}_all = tuple(x for v in {name}_a{n}.values() for x in v)")
    return lines
