"""The reference evaluator: walks the IR over any event (lists included). Slow but general.

The generated code (codegen.py) is the fast path; this interpreter handles the events it
cannot (multi-valued fields) and is the oracle the tests compare the fast path with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from detections.sigma.values import (
    compare,
    compiled,
    full_text,
    in_cidr,
    lookup,
    networks,
    timestamp_part,
    values_of,
)

Node = list[Any]


def _re_flags(flags: str) -> int:
    out = 0
    for char, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)):
        if char in flags:
            out |= flag
    return out


def _text_test(kind: str, arg: Any, cased: bool) -> Callable[[str], bool]:
    if kind == "eq":
        return (lambda v: v == arg) if cased else (lambda v: v.lower() == arg)
    if kind == "sw":
        return (lambda v: v.startswith(arg)) if cased else (lambda v: v.lower().startswith(arg))
    if kind == "ew":
        return (lambda v: v.endswith(arg)) if cased else (lambda v: v.lower().endswith(arg))
    if kind == "ct":
        return (lambda v: arg in v) if cased else (lambda v: arg in v.lower())
    if kind == "glob":
        pattern = compiled(arg, re.DOTALL)
        if cased:
            return lambda v: pattern.fullmatch(v) is not None
        return lambda v: pattern.fullmatch(v.lower()) is not None
    if kind == "re":
        regex = compiled(arg[0], _re_flags(arg[1]))
        return lambda v: regex.search(v) is not None
    if kind == "cidr":
        nets = networks(tuple(arg))
        return lambda v: in_cidr(v, nets)
    if kind == "cmp":
        op, bound = arg
        return lambda v: compare(v, op, bound)
    raise ValueError(f"unknown match kind {kind}")


def _leaf(node: Node, ev: Mapping[str, Any]) -> bool:
    _, path, kind, arg, cased = node
    if path is None:
        # the event text is searched lower-cased, whatever the keyword's case modifier says
        text = full_text(ev)
        if kind == "exists":
            return True
        return _text_test(kind, arg.lower() if isinstance(arg, str) else arg, True)(text)
    if kind == "ts":
        return bool(timestamp_part(ev, arg[0]) == arg[1])
    raw = lookup(ev, path)
    if kind == "null":
        return raw is None or raw == []
    if kind == "exists":
        return (raw is not None) == bool(arg)
    values = values_of(raw)
    if kind == "ref":
        other = [v.lower() for v in values_of(lookup(ev, arg[0]))]
        mine = [v.lower() for v in values]
        if arg[1] == "eq":
            return any(a == b for a in mine for b in other)
        if arg[1] == "sw":
            return any(a.startswith(b) for a in mine for b in other)
        return any(a.endswith(b) for a in mine for b in other)
    test = _text_test(kind, arg, cased)
    return any(test(v) for v in values)


def evaluate(node: Node, ev: Mapping[str, Any]) -> bool:
    """Whether the IR expression holds for the event (Sigma semantics, two-valued logic)."""
    op = node[0]
    if op == "m":
        return _leaf(node, ev)
    if op == "and":
        return all(evaluate(child, ev) for child in node[1:])
    if op == "or":
        return any(evaluate(child, ev) for child in node[1:])
    if op == "not":
        return not evaluate(node[1], ev)
    if op == "true":
        return True
    raise ValueError(f"unknown IR node {op!r}")
