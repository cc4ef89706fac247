"""The inventory and the evidence uploaded and downloaded as YAML or CSV from the console, with
the parsers, checks and all-or-nothing rule of ``soc assets import`` / ``soc evidence import``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy.orm import Session

from soc.errors import ContentError
from soc.inventory import (
    InventoryErrors,
    dump_evidence,
    dump_evidence_csv,
    dump_inventory,
    import_evidence,
    import_inventory,
    parse_evidence,
    parse_inventory,
    read_evidence,
    read_inventory,
)
from soc_dashboard import audit
from soc_dashboard.context import Actor
from soc_dashboard.forms import UploadRefused, upload_text
from soc_dashboard.i18n import t
from soc_dashboard.roles import require

MAX_PROBLEMS = 100
Format = Literal["yaml", "csv"]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """The notice to show and, when refused, every problem found (each with its line)."""

    ok: bool
    message: str
    problems: list[str] = field(default_factory=list)


def _problem(error: ContentError, lang: str) -> str:
    text = error.message + (f" ({error.hint})" if error.hint else "")
    return t("upload.at_line", lang, line=error.line, text=text) if error.line else text


def _refused(errors: list[ContentError], lang: str) -> ImportOutcome:
    problems = [_problem(e, lang) for e in errors[:MAX_PROBLEMS]]
    if len(errors) > MAX_PROBLEMS:
        problems.append(t("upload.more", lang, count=len(errors) - MAX_PROBLEMS))
    return ImportOutcome(False, t("upload.refused", lang, count=len(errors)), problems)


def _read(contents: Any, filename: Any, lang: str) -> tuple[str, Format] | ImportOutcome:
    try:
        text, fmt = upload_text(contents, filename)
    except UploadRefused as e:
        return ImportOutcome(False, t(e.key, lang, **e.values))
    return text, "csv" if fmt == "csv" else "yaml"


def _import_upload(
    session: Session,
    actor: Actor | None,
    what: Literal["inventory", "evidence"],
    upload: tuple[Any, Any, str],
    apply: Callable[[str, str, Format], dict[str, int]],
) -> ImportOutcome:
    """The frame both uploads share: role, size and encoding, then ``apply(text, name, fmt)``
    (parse and import, all or nothing), then the audit entry ``<what>.import``; a file with
    problems lists them and writes nothing. ``upload`` is (contents, file name, language)."""
    contents, filename, lang = upload
    require(actor.role if actor else None, _EDIT_PERMISSION[what])
    assert actor is not None
    found = _read(contents, filename, lang)
    if isinstance(found, ImportOutcome):
        return found
    name = str(filename)[:200]
    try:
        counts = apply(found[0], name, found[1])
    except InventoryErrors as e:
        return _refused(e.errors, lang)
    except ContentError as e:
        return _refused([e], lang)
    audit.record(session, actor.username, f"{what}.import", name, **counts)
    return ImportOutcome(True, t(f"upload.{what}_done", lang, **counts))


_EDIT_PERMISSION = {"inventory": "systems.edit", "evidence": "evidence.edit"}


def import_inventory_upload(
    session: Session, actor: Actor | None, contents: Any, filename: Any, lang: str
) -> ImportOutcome:
    """Import an uploaded inventory; nothing is written when the file has any problem."""

    def apply(text: str, name: str, fmt: Format) -> dict[str, int]:
        return import_inventory(session, parse_inventory(text, name, fmt))

    return _import_upload(session, actor, "inventory", (contents, filename, lang), apply)


def import_evidence_upload(
    session: Session, actor: Actor | None, contents: Any, filename: Any, lang: str
) -> ImportOutcome:
    """Import uploaded evidence (records upserted by id, exchanges not repeated); all or nothing."""

    def apply(text: str, name: str, fmt: Format) -> dict[str, int]:
        evidence, lines = parse_evidence(text, name, fmt)
        return import_evidence(session, evidence, source=name, lines=lines)

    return _import_upload(session, actor, "evidence", (contents, filename, lang), apply)


def inventory_file(session: Session, actor: Actor | None, fmt: Format) -> tuple[str, str]:
    """(file content, file name) of the whole inventory; the export is audited."""
    require(actor.role if actor else None, "systems.view")
    assert actor is not None
    text = dump_inventory(read_inventory(session), fmt)
    name = f"inventory-{date.today().isoformat()}.{fmt}"
    audit.record(session, actor.username, "inventory.export", name)
    return text, name


def evidence_file(session: Session, actor: Actor | None, fmt: Format) -> tuple[str, str]:
    require(actor.role if actor else None, "evidence.view")
    assert actor is not None
    found = read_evidence(session)
    text = dump_evidence_csv(found) if fmt == "csv" else dump_evidence(found)
    name = f"evidence-{date.today().isoformat()}.{fmt}"
    audit.record(session, actor.username, "evidence.export", name)
    return text, name
