"""The inventory and evidence in the state database: imported from the records (agencies before
the units under them, evidence upserted by its id, exchanges not repeated) and read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
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


def import_inventory(
    session: Session, inventory: Inventory, *, prune: bool = False
) -> dict[str, int]:
    """Insert or update every agency and system; with ``prune`` remove the ones not in the file."""
    for agency in _parents_first(inventory.agencies):
        session.merge(
            Agency(
                id=agency.id,
                name=agency.name,
                name_en=agency.name_en,
                kind=agency.kind,
                parent_id=agency.parent,
                ip_ranges=list(agency.ip_ranges),
            )
        )
    session.flush()
    for system in inventory.systems:
        session.merge(
            System(
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
        )
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
    session: Session, found: EvidenceFile, source: str = "<evidence>"
) -> dict[str, int]:
    """Upsert evidence by its id (kept in ``details.key``) and add exchanges not already held."""
    known_systems = set(session.scalars(select(System.id)))
    known_agencies = set(session.scalars(select(Agency.id)))
    errors = [
        ContentError(f"evidence {r.id!r} names an unknown system or agency", source=source)
        for r in found.evidence
        if (r.system and r.system not in known_systems)
        or (r.agency and r.agency not in known_agencies)
    ]
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
    records = []
    for row in session.scalars(select(Evidence).order_by(Evidence.id)):
        details = dict(row.details or {})
        key = str(details.pop("key", f"ev-{row.id}"))
        records.append(
            EvidenceRecord(
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
        )
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
