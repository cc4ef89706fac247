"""How an SQL engine over a flattened table (Zircolite's design) reads a Sigma rule, for
explaining where our matches differ from its reference: NULL for absent and empty fields,
booleans stored as 1/0, three-valued logic, and no keyword search at all."""

from __future__ import annotations

from typing import Any

from detections.sigma.interpreter import evaluate
from detections.sigma.values import lookup

Node = list[Any]


def has_keywords(node: Node) -> bool:
    if node[0] == "m":
        return node[1] is None
    return any(has_keywords(child) for child in node[1:] if isinstance(child, list))


def _sql_value(raw: Any) -> Any:
    if raw is True:
        return "1"
    if raw is False:
        return "0"
    if raw == "" or raw == []:
        return None
    return raw


def evaluate_sql(node: Node, ev: dict[str, Any]) -> bool | None:
    """Kleene logic: a comparison with a NULL field is unknown, NOT unknown is unknown."""
    op = node[0]
    if op == "m":
        path, kind = node[1], node[2]
        if path is None:
            return None
        value = _sql_value(lookup(ev, path))
        if kind == "null":
            return value is None
        if kind == "exists":
            return (value is not None) == bool(node[3])
        if value is None:
            return None
        shadow = {"sql": {"v": value}}
        return evaluate(["m", "sql.v", *node[2:]], shadow)
    if op == "not":
        inner = evaluate_sql(node[1], ev)
        return None if inner is None else not inner
    if op in ("and", "or"):
        results = [evaluate_sql(child, ev) for child in node[1:]]
        if op == "and":
            return False if False in results else (None if None in results else True)
        return True if True in results else (None if None in results else False)
    return True
