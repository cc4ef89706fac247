"""The inventory and evidence in the state database: imported from the records (agencies before
the units under them, evidence upserted by its id, exchanges not repeated) and read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from soc.errors import ContentError
from soc.inventory.model import (
    AgencyRecord,
    EvidenceFile,
    EvidenceRecord,
    ExchangeRecord,
    Inventory,
    InventoryErrors,
    SystemRecord,
)
from soc.state.models import Agency, Evidence, Exchange, System

# -- the state database -------------------------------------------------------------------------


def _parents_first(agencies: Sequence[AgencyRecord]) -> list[AgencyRecord]:
    by_id = {a.id: a for a in agencies}
    ordered: list[AgencyRecord] = []
    placed: set[str] = set()

    def place(agency: AgencyRecord) -> None:
        if agency.id in placed:
            return
        placed.add(agency.id)
        if agency.parent in by_id:
            place(by_id[agency.parent])
        ordered.append(agency)

    for agency in agencies:
        place(agency)
    return ordered


def system_attributes(system: SystemRecord) -> dict[str, Any]:
    """What the ``systems.attributes`` JSON column holds: everything without its own column."""
    keep = {
        "id",
        "name",
        "owner",
        "zone",
        "hosting",
        "approved_level",
        "ip_ranges",
        "hostnames",
        "urls",
    }
    return system.model_dump(mode="json", exclude=keep, exclude_none=True)


def _agency_row(agency: AgencyRecord) -> Agency:
    return Agency(
        id=agency.id,
        name=agency.name,
        name_en=agency.name_en,
        kind=agency.kind,
        parent_id=agency.parent,
        ip_ranges=list(agency.ip_ranges),
    )


def _system_row(system: SystemRecord) -> System:
    return System(
        id=system.id,
        name=system.name,
        agency_id=system.owner,
        zone=system.zone,
        hosting=system.hosting,
        security_level=system.approved_level,
        ip_ranges=list(system.ip_ranges),
        hostnames=list(system.hostnames),
        urls=list(system.urls),
        attributes=system_attributes(system),
    )


def import_inventory(
    session: Session, inventory: Inventory, *, prune: bool = False
) -> dict[str, int]:
    """Insert or update every agency and system; with ``prune`` remove the ones not in the file."""
    for agency in _parents_first(inventory.agencies):
        session.merge(_agency_row(agency))
    session.flush()
    for system in inventory.systems:
        session.merge(_system_row(system))
    removed = 0
    if prune:
        keep_s = [s.id for s in inventory.systems]
        stale_s = list(session.scalars(select(System.id).where(System.id.not_in(keep_s))))
        session.execute(delete(System).where(System.id.in_(stale_s)))
        keep_a = [a.id for a in inventory.agencies]
        stale_a = list(session.scalars(select(Agency.id).where(Agency.id.not_in(keep_a))))
        session.execute(update(Agency).where(Agency.parent_id.in_(stale_a)).values(parent_id=None))
        session.execute(delete(Agency).where(Agency.id.in_(stale_a)))
        removed = len(stale_s) + len(stale_a)
    return {
        "agencies": len(inventory.agencies),
        "systems": len(inventory.systems),
        "removed": removed,
    }


def system_record(row: System) -> SystemRecord:
    """Rebuild the typed record from a database row (the inverse of ``import_inventory``)."""
    data: dict[str, Any] = dict(row.attributes or {})
    data.update(
        id=row.id,
        name=row.name,
        owner=row.agency_id,
        zone=row.zone,
        hosting=row.hosting,
        approved_level=row.security_level,
        ip_ranges=row.ip_ranges or [],
        hostnames=row.hostnames or [],
        urls=row.urls or [],
    )
    data.setdefault("classification", {"system_type": "other"})
    return SystemRecord.model_validate({k: v for k, v in data.items() if v is not None})


def read_inventory(session: Session) -> Inventory:
    agencies = [
        AgencyRecord(
            id=a.id,
            name=a.name,
            name_en=a.name_en,
            kind=a.kind,  # type: ignore[arg-type]
            parent=a.parent_id,
            ip_ranges=a.ip_ranges or [],
        )
        for a in session.scalars(select(Agency).order_by(Agency.id))
    ]
    systems = [system_record(s) for s in session.scalars(select(System).order_by(System.id))]
    return Inventory(agencies=agencies, systems=systems)


def import_evidence(
    session: Session,
    found: EvidenceFile,
    source: str = "<evidence>",
    lines: Mapping[str, int | None] | None = None,
) -> dict[str, int]:
    """Upsert evidence by its id (kept in ``details.key``) and add exchanges not already held.
    ``lines``: each record's line in the file (``parse_evidence``), for the errors."""
    known_systems = set(session.scalars(select(System.id)))
    known_agencies = set(session.scalars(select(Agency.id)))
    errors = []
    for r in found.evidence:
        line = (lines or {}).get(r.id)
        if r.system and r.system not in known_systems:
            message = f"evidence {r.id!r} names an unknown system {r.system!r}"
            errors.append(ContentError(message, source=source, line=line))
        if r.agency and r.agency not in known_agencies:
            message = f"evidence {r.id!r} names an unknown agency {r.agency!r}"
            errors.append(ContentError(message, source=source, line=line))
    if errors:
        raise InventoryErrors(errors, source)
    existing = {
        (e.details or {}).get("key"): e for e in session.scalars(select(Evidence)) if e.details
    }
    for record in found.evidence:
        row = existing.get(record.id) or Evidence()
        row.system_id, row.agency_id = record.system, record.agency
        row.kind, row.title = record.kind, record.title
        row.issued_on, row.expires_on = record.issued_on, record.expires_on
        row.assessor, row.provider, row.reference = (
            record.assessor,
            record.provider,
            record.reference,
        )
        row.details = {**record.details, "key": record.id}
        session.add(row)
    added = 0
    held = {
        (_naive_utc(x.at), x.direction, x.kind, x.system_id)
        for x in session.scalars(select(Exchange))
    }
    for x in found.exchanges:
        at = x.at_utc()
        key = (_naive_utc(at), x.direction, x.kind, x.system)
        if key in held:
            continue
        held.add(key)
        session.add(
            Exchange(
                at=at,
                direction=x.direction,
                kind=x.kind,
                status=x.status,
                system_id=x.system,
                counterpart=x.counterpart,
                details=x.details,
            )
        )
        added += 1
    return {"evidence": len(found.evidence), "exchanges": added}


def _naive_utc(moment: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes: compare in that form so a re-import adds nothing.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def read_evidence(session: Session) -> EvidenceFile:
    records = [
        evidence_record(row) for row in session.scalars(select(Evidence).order_by(Evidence.id))
    ]
    exchanges = [
        ExchangeRecord(
            at=x.at if x.at.tzinfo else x.at.replace(tzinfo=UTC),
            direction=x.direction,  # type: ignore[arg-type]
            kind=x.kind,  # type: ignore[arg-type]
            status=x.status,  # type: ignore[arg-type]
            system=x.system_id,
            counterpart=x.counterpart,
            details=x.details or {},
        )
        for x in session.scalars(select(Exchange).order_by(Exchange.at))
    ]
    return EvidenceFile(evidence=records, exchanges=exchanges)


# -- one record at a time (the console's forms) -------------------------------------------------


class RecordRefused(ContentError):
    """A single-record change refused for a reason the console can show beside a field.

    ``reason`` is one of ``unknown_agency``, ``unknown_subject``, ``parent_cycle``, ``exists``,
    ``missing`` and ``in_use``; ``field`` names the form field at fault when there is one.
    """

    def __init__(
        self, message: str, *, reason: str, field: str | None = None, **values: object
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field
        self.values = values


def _agency_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Agency.id)))


def upsert_agency(session: Session, record: AgencyRecord, *, create: bool = False) -> bool:
    """Insert or update one agency; True when it is new. ``create`` refuses an existing id."""
    existing = session.get(Agency, record.id)
    if create and existing is not None:
        raise RecordRefused(f"agency {record.id!r} exists", reason="exists", field="id")
    if record.parent is not None:
        if record.parent not in _agency_ids(session):
            raise RecordRefused(
                f"unknown agency {record.parent!r}", reason="unknown_agency", field="parent"
            )
        node: str | None = record.parent
        seen: set[str] = set()
        while node is not None and node not in seen:
            if node == record.id:
                raise RecordRefused(
                    "agency parents form a cycle", reason="parent_cycle", field="parent"
                )
            seen.add(node)
            node = session.scalar(select(Agency.parent_id).where(Agency.id == node))
    session.merge(_agency_row(record))
    session.flush()
    return existing is None


def _evidence_rows(
    session: Session, *, system: str | None = None, agency: str | None = None
) -> int:
    query = select(func.count()).select_from(Evidence)
    if system is not None:
        query = query.where(Evidence.system_id == system)
    if agency is not None:
        query = query.where(Evidence.agency_id == agency)
    return int(session.scalar(query) or 0)


def delete_agency(session: Session, agency_id: str) -> None:
    """Remove one agency; refused while systems, sub-units or evidence still name it."""
    if session.get(Agency, agency_id) is None:
        raise RecordRefused(f"agency {agency_id!r} not found", reason="missing")
    systems = [
        s.id
        for s in session.scalars(select(System))
        if s.agency_id == agency_id or (s.attributes or {}).get("operator") == agency_id
    ]
    children = list(session.scalars(select(Agency.id).where(Agency.parent_id == agency_id)))
    evidence = _evidence_rows(session, agency=agency_id)
    if systems or children or evidence:
        raise RecordRefused(
            f"agency {agency_id!r} is still named by {len(systems)} systems, "
            f"{len(children)} agencies and {evidence} evidence records",
            reason="in_use",
            systems=len(systems),
            agencies=len(children),
            evidence=evidence,
        )
    session.execute(delete(Agency).where(Agency.id == agency_id))


def upsert_system(session: Session, record: SystemRecord, *, create: bool = False) -> bool:
    """Insert or update one system; True when it is new. Its owner and operator must exist."""
    existing = session.get(System, record.id)
    if create and existing is not None:
        raise RecordRefused(f"system {record.id!r} exists", reason="exists", field="id")
    known = _agency_ids(session)
    for field, who in (("owner", record.owner), ("operator", record.operator)):
        if who is not None and who not in known:
            raise RecordRefused(f"unknown agency {who!r}", reason="unknown_agency", field=field)
    session.merge(_system_row(record))
    session.flush()
    return existing is None


def delete_system(session: Session, system_id: str) -> None:
    """Remove one system; refused while evidence records name it (delete those first)."""
    if session.get(System, system_id) is None:
        raise RecordRefused(f"system {system_id!r} not found", reason="missing")
    evidence = _evidence_rows(session, system=system_id)
    if evidence:
        raise RecordRefused(
            f"system {system_id!r} is named by {evidence} evidence records",
            reason="in_use",
            systems=0,
            agencies=0,
            evidence=evidence,
        )
    session.execute(delete(System).where(System.id == system_id))


def evidence_row(session: Session, key: str) -> Evidence | None:
    """The stored row of the evidence record whose id is ``key`` (kept in ``details.key``)."""
    return next(
        (e for e in session.scalars(select(Evidence)) if (e.details or {}).get("key") == key),
        None,
    )


def evidence_record(row: Evidence) -> EvidenceRecord:
    """The typed record of a stored row (as ``read_evidence`` builds it)."""
    details = dict(row.details or {})
    key = str(details.pop("key", f"ev-{row.id}"))
    return EvidenceRecord(
        id=key,
        kind=row.kind,  # type: ignore[arg-type]
        system=row.system_id,
        agency=row.agency_id,
        title=row.title,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        assessor=row.assessor,
        provider=row.provider,
        reference=row.reference,
        details=details,
    )


def upsert_evidence(session: Session, record: EvidenceRecord, *, create: bool = False) -> bool:
    """Insert or update one evidence record by its id; True when it is new."""
    existing = evidence_row(session, record.id)
    if create and existing is not None:
        raise RecordRefused(f"evidence {record.id!r} exists", reason="exists", field="id")
    if record.system and session.get(System, record.system) is None:
        raise RecordRefused(
            f"unknown system {record.system!r}", reason="unknown_subject", field="system"
        )
    if record.agency and session.get(Agency, record.agency) is None:
        raise RecordRefused(
            f"unknown agency {record.agency!r}", reason="unknown_agency", field="agency"
        )
    import_evidence(session, EvidenceFile(evidence=[record]))
    session.flush()
    return existing is None


def delete_evidence(session: Session, key: str) -> None:
    row = evidence_row(session, key)
    if row is None:
        raise RecordRefused(f"evidence {key!r} not found", reason="missing")
    session.delete(row)
