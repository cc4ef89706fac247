"""The evaluation plan the Rego walks: the catalogue index (per profile and level) split at every
effective date into periods, each period's requirements grouped by how they are checked, and the
slot layout of the engine input (each control and document kind the policies read has a fixed
position, because the embedded engine finds an array element at once but scans an object)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.catalog_loader import FAR_FUTURE_NS, LEVELS, PROFILES, Catalog, engine_data

# Check fields that make an evidence check more than "the newest record, in place, not expired".
_BEYOND_PRESENCE = ("select", "includes", "at_least", "equals", "deadline_ns")
# The plan groups requirements by form, each group walked by a function of its own that holds
# no more than the form needs (regopy 1.5 copies a comprehension's surroundings on every step);
# requirements that concern only some systems form a group of their own ("when").
FORMS = (
    "control", "document", "evidence", "evidence_all", "evidence_order", "zones",
    "incident_reporting", "live_sources", "ids_coverage", "retention", "source_categories",
    "layer", "classification",
)  # fmt: skip
# Document kinds the four-layer policy reads besides the layer-1 kinds of the catalogue.
_LAYER_KINDS = ("soc_service", "assessment", "national_connection")


@dataclass(frozen=True)
class Layout:
    """Where the engine input puts each control and document kind, and the details it keeps."""

    controls: tuple[str, ...]
    kinds: tuple[str, ...]
    details: frozenset[str]

    def slot(self, name: str, *, control: bool = False) -> int:
        return (self.controls if control else self.kinds).index(name)

    @property
    def key(self) -> str:
        """Names this layout: a batch says which layout it was built with, and the policy
        answers nothing for a batch built with another."""
        text = "|".join([*self.controls, "/", *self.kinds, "/", *sorted(self.details)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def layout_of(index: Mapping[str, Mapping[str, list[dict[str, Any]]]], layers: Any) -> Layout:
    controls: set[str] = set()
    kinds: set[str] = set(layers["layer1_kinds"]) | set(_LAYER_KINDS)
    details = {"scope", "target"}
    for levels in index.values():
        for entries in levels.values():
            for e in entries:
                check = e["check"]
                controls |= set(check.get("controls", []))
                kinds |= {
                    k for k in (check.get("kind"), check.get("first"), check.get("then")) if k
                }
                kinds |= set(check.get("kinds", {}))
                details |= set(check.get("select", {})) | set(check.get("at_least", {}))
                details |= set(check.get("equals", {}))
                if "includes" in check:
                    details.add(check["includes"]["field"])
    kinds.discard("go_live")
    return Layout(tuple(sorted(controls)), tuple(sorted(kinds)), frozenset(details))


def form_of(check: Mapping[str, Any]) -> str:
    """How a resolved check is judged: ``control`` or ``document`` (the fast, common forms),
    ``evidence`` (any other declared-evidence check) or the check type itself."""
    if check["type"] != "evidence" or any(k in check for k in _BEYOND_PRESENCE):
        return str(check["type"])
    controls = check.get("controls", [])
    if len(controls) == 1 and "max_age_days" not in check:
        return "control"
    return "evidence" if controls else "document"


# Keys of the object entries in the order the policies read them (the embedded engine compares
# an object's keys in order; a key the entry lacks costs a comparison with each).
_ENTRY_ORDER = (
    "id", "slot", "control_slots", "select", "max_age_days", "includes", "at_least", "equals",
    "missing", "deadline_ns", "layer", "min_days", "required", "min_count", "categories",
    "deadlines", "then", "first_slot", "then_slot", "since_ns", "first", "parts", "label",
)  # fmt: skip


def _ordered(found: Mapping[str, Any]) -> dict[str, Any]:
    return {**{k: found[k] for k in _ENTRY_ORDER if k in found}, **found}


def _slotted(entry: Mapping[str, Any], form: str, layout: Layout) -> dict[str, Any]:
    """A requirement of the other forms: its check's fields beside its id and form, with the slot
    of every control and kind it names."""
    check = entry["check"]
    found = {"id": entry["id"], **{k: v for k, v in check.items() if k != "type"}}
    if "controls" in check:
        found["control_slots"] = [layout.slot(c, control=True) for c in check["controls"]]
    if check.get("kind"):
        found["slot"] = layout.slot(check["kind"])
    if "kinds" in check:
        found["parts"] = [[k, layout.slot(k), days] for k, days in check["kinds"].items()]
        found["label"] = ", ".join(check["kinds"])
    for key in ("first", "then"):
        if key in check and check[key] != "go_live":
            found[f"{key}_slot"] = layout.slot(check[key])
    if form == "layer":
        found["layer"] = str(check["layer"])
    return _ordered(found)


def plan_entry(entry: Mapping[str, Any], layout: Layout) -> Any:
    """One requirement as its form's rule reads it. The two common forms are small arrays (the
    engine copies each element a comprehension binds, and reads an array element sooner than an
    object field): control ``[id, slot, missing status, control]``; document
    ``[id, slot, missing status, kind]`` with, when a period is asked, the maximum age in days as a
    fifth element. The others are objects: ``{id, ...the check's fields and slots}``; and a
    requirement that concerns only some systems is ``{id, when, form, entry}``."""
    check = entry["check"]
    form = form_of(check)
    found: Any
    if form == "control":
        name = check["controls"][0]
        found = [entry["id"], layout.slot(name, control=True), check["missing"], name]
    elif form == "document":
        kind = check["kind"]
        found = [entry["id"], layout.slot(kind), check["missing"], kind]
        if "max_age_days" in check:
            found.append(check["max_age_days"])
    else:
        found = _slotted(entry, form, layout)
    if "when" in entry:
        found = {"when": entry["when"], "form": form, "entry": found, "id": entry["id"]}
    return found


def _boundaries(index: Mapping[str, Mapping[str, list[dict[str, Any]]]], profile: str) -> list[int]:
    found: set[int] = set()
    for entries in index[profile].values():
        for e in entries:
            found.add(e["from_ns"])
            if e["to_ns"] < FAR_FUTURE_NS:
                found.add(e["to_ns"] + 1)
    return sorted(found)


def _grouped(entries: list[dict[str, Any]], moment: int, layout: Layout) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {g: [] for g in [*FORMS, "when"]}
    for e in entries:
        if e["from_ns"] <= moment <= e["to_ns"]:
            group = "when" if "when" in e else form_of(e["check"])
            groups[group].append(plan_entry(e, layout))
    return groups


def plan_data(catalog_data: Mapping[str, Any]) -> dict[str, Any]:
    """``periods[profile]``: the effective dates in order; ``plan[profile][k][level]``: the
    requirements in force between the k-th date and the next, grouped by form; ``slots``: the
    input layout, with the slots of the kinds the four-layer policy reads. Periods and levels are
    array positions (level 0 is empty): the engine reads an array element given by a reference
    at once, but copies every candidate when it looks a computed key up in an object."""
    index = catalog_data["index"]
    layout = layout_of(index, catalog_data["four_layer"])
    periods: dict[str, list[int]] = {}
    plan: dict[str, list[list[dict[str, Any]]]] = {}
    for profile in PROFILES:
        bounds = _boundaries(index, profile)
        periods[profile] = bounds
        plan[profile] = []
        for k in range(len(bounds) + 1):
            moment = bounds[k - 1] if k > 0 else (bounds[0] - 1 if bounds else 0)
            plan[profile].append(
                [{}] + [_grouped(index[profile][level], moment, layout) for level in LEVELS]
            )
    layer_kinds = [*catalog_data["four_layer"]["layer1_kinds"], *_LAYER_KINDS]
    return {
        "periods": periods,
        "plan": plan,
        **lookups(catalog_data),
        "slots": {  # read for every system first (the engine compares keys in order)
            "layers": {k: layout.slot(k) for k in layer_kinds},
            "layer1": [[k, layout.slot(k)] for k in catalog_data["four_layer"]["layer1_kinds"]],
            "key": layout.key,
            "controls": list(layout.controls),
            "kinds": list(layout.kinds),
        },
    }


def lookups(catalog_data: Mapping[str, Any]) -> dict[str, Any]:
    """The catalogue's tables in the shape the policies read by reference rather than by search
    (every builtin call, a membership test included, costs the embedded engine a frame copy):
    ``criteria[profile]``: [id, level] of the classification criteria of the profile, in id
    order; ``assessment_days_by_level[level]``: layer 3's period; ``accepted_targets[profile]``:
    the national centres layer 4 accepts, as keys; ``source_category_of[dataset]``: the log-source
    categories a dataset belongs to."""
    four_layer = catalog_data["four_layer"]
    criteria = catalog_data["classification"]
    by_source: dict[str, list[str]] = {}
    for category, datasets in catalog_data["source_categories"].items():
        for dataset in datasets:
            by_source.setdefault(dataset, []).append(category)
    return {
        "criteria": {
            profile: [
                [cid, criteria[cid]["level"]]
                for cid in sorted(criteria)
                if profile in criteria[cid]["profiles"]
            ]
            for profile in PROFILES
        },
        "assessment_days_by_level": [None]
        + [four_layer["assessment_days"][level] for level in LEVELS],
        "accepted_targets": {
            profile: dict.fromkeys(targets, True)
            for profile, targets in four_layer["targets"].items()
        },
        "source_category_of": by_source,
    }


def layout_for(catalog: Catalog) -> Layout:
    data = engine_data(catalog)
    return layout_of(data["index"], data["four_layer"])
