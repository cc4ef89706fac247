"""A JSON-serialisable form of a processed Sigma condition, for the native evaluator and its cache.

Nodes are lists: ``["and", n...]``, ``["or", n...]``, ``["not", n]``, ``["true"]``, and leaves
``["m", field, kind, arg, cased]`` where ``field`` is an ECS path (None = keyword search over
the event's text) and ``kind`` is one of ``MATCH_KINDS``. String arguments of case-insensitive
leaves are stored lower-cased, so evaluation lower-cases each event value once.
"""

from __future__ import annotations

import re
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)

from soc.errors import DetectionError

Node = list[Any]
MATCH_KINDS = ("eq", "sw", "ew", "ct", "glob", "re", "exists", "null", "cidr", "cmp", "ref", "ts")
TRUE: Node = ["true"]
_CMP = {
    CompareOperators.LT: "lt",
    CompareOperators.LTE: "lte",
    CompareOperators.GT: "gt",
    CompareOperators.GTE: "gte",
    CompareOperators.NEQ: "neq",
}
_RE_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


class UnsupportedRule(DetectionError):
    """The rule uses something the native evaluator cannot express (reported as skipped)."""


def _glob_regex(parts: list[Any], cased: bool) -> str:
    out = []
    for part in parts:
        if part is SpecialChars.WILDCARD_MULTI:
            out.append(".*")
        elif part is SpecialChars.WILDCARD_SINGLE:
            out.append(".")
        else:
            out.append(re.escape(part if cased else part.lower()))
    return "".join(out)


def string_leaf(field: str | None, value: SigmaString) -> Node:
    """Plain, prefix, suffix, substring or glob match from a Sigma string with wildcards."""
    cased = isinstance(value, SigmaCasedString)
    parts = [p for p in value.s if p != ""]
    if any(isinstance(p, Placeholder) for p in parts):
        raise UnsupportedRule("unresolved placeholder in value")
    norm = (lambda s: s) if cased else str.lower
    star = SpecialChars.WILDCARD_MULTI
    plain = [p for p in parts if isinstance(p, str)]
    if field is None:  # keywords match anywhere in the event text
        parts = ([star] if parts[:1] != [star] else []) + parts
        parts = parts + ([star] if parts[-1:] != [star] else [])
        plain = [p for p in parts if isinstance(p, str)]
    if all(isinstance(p, str) for p in parts):
        return ["m", field, "eq", norm("".join(plain)), cased]
    if parts == [star]:
        return ["m", field, "exists", True, False]
    if len(parts) == 2 and parts[0] is star and isinstance(parts[1], str):
        return ["m", field, "ew", norm(parts[1]), cased]
    if len(parts) == 2 and parts[1] is star and isinstance(parts[0], str):
        return ["m", field, "sw", norm(parts[0]), cased]
    if len(parts) == 3 and parts[0] is star and parts[2] is star and isinstance(parts[1], str):
        return ["m", field, "ct", norm(parts[1]), cased]
    return ["m", field, "glob", _glob_regex(parts, cased), cased]


def _regex_leaf(field: str | None, value: SigmaRegularExpression) -> Node:
    pattern = str(value.regexp)
    flags = "".join(sorted(_RE_FLAGS[f] for f in value.flags))
    try:
        re.compile(pattern, _re_flags(flags))
    except re.error as e:
        raise UnsupportedRule(f"regular expression not supported by Python: {e}") from e
    return ["m", field, "re", [pattern, flags], False]


def _re_flags(flags: str) -> int:
    out = 0
    for char, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)):
        if char in flags:
            out |= flag
    return out


def value_leaf(field: str | None, value: Any) -> Node:  # noqa: C901 - one branch per Sigma type
    """One Sigma typed value compared with one field (or the event text when field is None)."""
    if isinstance(value, SigmaExpansion):
        return ["or", *(value_leaf(field, v) for v in value.values)]
    if isinstance(value, SigmaString):
        return string_leaf(field, value)
    if isinstance(value, SigmaRegularExpression):
        return _regex_leaf(field, value)
    if isinstance(value, SigmaTimestampPart):
        return ["m", field, "ts", [value.timestamp_part.name.lower(), value.number], False]
    if isinstance(value, SigmaBool):
        return ["m", field, "eq", "true" if value.boolean else "false", False]
    if isinstance(value, SigmaNumber):
        if field is None:
            return ["m", None, "ct", str(value.number), False]
        return ["m", field, "eq", str(value.number), False]
    if field is None:
        raise UnsupportedRule(f"keyword of type {type(value).__name__} has no field")
    if isinstance(value, SigmaNull):
        return ["m", field, "null", None, False]
    if isinstance(value, SigmaExists):
        return ["m", field, "exists", bool(value), False]
    if isinstance(value, SigmaCIDRExpression):
        return ["m", field, "cidr", [str(value.network)], False]
    if isinstance(value, SigmaCompareExpression):
        return ["m", field, "cmp", [_CMP[value.op], value.number.number], False]
    if isinstance(value, SigmaFieldReference):
        mode = "sw" if value.starts_with else "ew" if value.ends_with else "eq"
        return ["m", field, "ref", [value.field, mode], False]
    raise UnsupportedRule(f"value type {type(value).__name__} is not supported")


def condition_ir(node: Any) -> Node:
    """pySigma's postprocessed condition tree → IR."""
    if node is None:
        return TRUE
    if isinstance(node, ConditionAND):
        return ["and", *(condition_ir(a) for a in node.args)]
    if isinstance(node, ConditionOR):
        return ["or", *(condition_ir(a) for a in node.args)]
    if isinstance(node, ConditionNOT):
        return ["not", condition_ir(node.args[0])]
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return value_leaf(node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        return value_leaf(None, node.value)
    raise UnsupportedRule(f"condition element {type(node).__name__} is not supported")


def simplify(node: Node) -> Node:
    """Flatten nested and/or, drop constant-true conjuncts, unwrap single children."""
    op = node[0]
    if op == "not":
        inner = simplify(node[1])
        return inner[1] if inner[0] == "not" else ["not", inner]
    if op not in ("and", "or"):
        return node
    children: list[Node] = []
    for child in (simplify(c) for c in node[1:]):
        if child[0] == op:
            children.extend(child[1:])
        elif op == "and" and child == TRUE:
            continue
        else:
            children.append(child)
    if op == "or" and TRUE in children:
        return TRUE
    if not children:
        return TRUE
    return children[0] if len(children) == 1 else [op, *children]


def _eq_values(node: Node, field: str) -> list[str] | None:
    """Values of an ``eq`` test (or an OR of them) on ``field``; None if it is anything else."""
    if node[0] == "m" and node[1] == field and node[2] == "eq":
        return [node[3]]
    if node[0] == "or":
        out: list[str] = []
        for child in node[1:]:
            values = _eq_values(child, field)
            if values is None:
                return None
            out.extend(values)
        return out
    return None


def extract_key(expr: Node, field: str) -> tuple[list[str] | None, Node]:
    """Pull a top-level ``field == v1 | v2`` conjunct out of the expression, for indexing."""
    conjuncts = expr[1:] if expr[0] == "and" else [expr]
    for i, child in enumerate(conjuncts):
        values = _eq_values(child, field)
        if values is not None:
            rest = conjuncts[:i] + conjuncts[i + 1 :]
            remaining: Node = TRUE if not rest else rest[0] if len(rest) == 1 else ["and", *rest]
            return sorted(set(values)), remaining
    return None, expr


def fields_of(node: Node) -> set[str]:
    """Every ECS path the expression reads (field references included)."""
    if node[0] in ("and", "or"):
        return set().union(*(fields_of(c) for c in node[1:]))
    if node[0] == "not":
        return fields_of(node[1])
    if node[0] == "m" and node[1] is not None:
        extra = {node[3][0]} if node[2] == "ref" else set()
        return {node[1], *extra}
    return set()
