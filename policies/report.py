"""An agency's compliance report from a stored run: JSON, XLSX or PDF, in Vietnamese first."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies.catalog_loader import Catalog, load_catalog
from policies.compliance import CLASSIFICATION_ROW, results_of, system_runs
from policies.render import STATUSES
from soc.ecs import utc_now
from soc.errors import SocError
from soc.inventory import LOCAL_TZ
from soc.state.models import Agency, ComplianceResult, System

TITLE_VI = "BÁO CÁO TÌNH HÌNH BẢO ĐẢM AN TOÀN HỆ THỐNG THÔNG TIN THEO CẤP ĐỘ"
TITLE_EN = "Report on information-system security by level"
STATUS_VI = {
    "pass": "Đạt",
    "fail": "Không đạt",
    "unknown": "Chưa xác định",
    "not_applicable": "Không áp dụng",
}
GROUP_VI = {
    "application": "Ứng dụng",
    "classification": "Xác định cấp độ",
    "data": "Dữ liệu, sao lưu",
    "endpoint": "Máy chủ, máy trạm",
    "four_layer": "Mô hình 4 lớp",
    "governance": "Quản lý, chính sách",
    "identity": "Định danh, xác thực",
    "incident_response": "Ứng cứu sự cố",
    "logging": "Nhật ký",
    "monitoring": "Giám sát",
    "network": "Mạng",
    "vulnerability": "Lỗ hổng, kiểm thử",
}
SEVERITY_VI = {"low": "Thấp", "medium": "Trung bình", "high": "Cao", "critical": "Nghiêm trọng"}
LAYER_VI = {
    "1": "Lớp 1 — Lực lượng tại chỗ",
    "2": "Lớp 2 — Giám sát, bảo vệ chuyên nghiệp",
    "3": "Lớp 3 — Kiểm tra, đánh giá độc lập",
    "4": "Lớp 4 — Kết nối, chia sẻ với hệ thống quốc gia",
}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def vietnamese_date(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"ngày {local.day:02d} tháng {local.month:02d} năm {local.year}"


def _descendants(session: Session, agency_id: str) -> set[str]:
    children: dict[str | None, list[str]] = {}
    for a in session.scalars(select(Agency)):
        children.setdefault(a.parent_id, []).append(a.id)
    found, todo = set(), [agency_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def _system_entry(catalog: Catalog, system: System, rows: list[ComplianceResult]) -> dict[str, Any]:
    level_row = next((r for r in rows if r.requirement_id == CLASSIFICATION_ROW), None)
    evidence = level_row.evidence if level_row else {}
    cls = evidence.get("classification", {})
    results = []
    for r in sorted(rows, key=lambda r: r.requirement_id):
        if r.requirement_id == CLASSIFICATION_ROW:
            continue
        try:
            req = catalog.requirement(r.requirement_id)
            group, title_vi = req.group, req.title_vi
        except KeyError:
            group, title_vi = "", r.requirement_id
        results.append(
            {
                "id": r.requirement_id,
                "group": group,
                "group_vi": GROUP_VI.get(group, group),
                "title_vi": title_vi,
                "status": r.status,
                "status_vi": STATUS_VI.get(r.status, r.status),
                "severity": r.severity,
                "severity_vi": SEVERITY_VI.get(r.severity, r.severity),
                "message_vi": r.message_vi,
                "message_en": r.message_en,
                "source": (r.evidence or {}).get("source", ""),
            }
        )
    profile = rows[0].profile  # one run: one profile
    return {
        "id": system.id,
        "name": system.name,
        "zone": system.zone,
        "profile": profile,
        "profile_name_vi": _profile_name(catalog, profile),
        "approved_level": cls.get("approved") or None,
        "criteria_level": cls.get("level") or None,
        "deciding_criteria": cls.get("deciding", []),
        "approved_lower": bool(cls.get("approved_lower")),
        "layers": {
            n: {
                "name_vi": LAYER_VI[n],
                "status": v.get("status"),
                "status_vi": STATUS_VI.get(v.get("status") or "", v.get("status")),
                "message_vi": v.get("message_vi"),
            }
            for n, v in sorted(evidence.get("layers", {}).items())
        },
        "counts": {s: sum(1 for r in results if r["status"] == s) for s in STATUSES},
        "results": results,
    }


def _profile_name(catalog: Catalog, profile: str) -> str:
    for name, prof in catalog.profiles.items():
        if name == profile:
            return prof.name_vi
    return profile


def compliance_report(
    session: Session, agency_id: str, *, run_id: str | None = None
) -> dict[str, Any]:
    """The report data for an agency and the units under it, from each system's latest run."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise SocError(f"no such agency: {agency_id!r}", hint="see soc assets export")
    units = _descendants(session, agency_id)
    query = select(System).where(System.agency_id.in_(units)).order_by(System.id)
    systems = list(session.scalars(query))
    if run_id is not None:
        pairs = [(s.id, run_id) for s in systems]
    else:
        runs = system_runs(session)
        pairs = [(s.id, runs[s.id][0]) for s in systems if runs.get(s.id)]
    rows = results_of(session, pairs)
    if not rows and run_id is not None:
        _known_run(session, run_id, agency_id)
    if not rows:
        raise SocError("no stored compliance results for these systems", hint="run soc policy eval")
    by_system: dict[str, list[ComplianceResult]] = {}
    for row in rows:
        by_system.setdefault(row.system_id, []).append(row)
    catalog = load_catalog()
    entries = [_system_entry(catalog, s, by_system[s.id]) for s in systems if s.id in by_system]
    # Systems judged in different runs may stand under different legal frameworks: the report
    # names each one (and each system carries its own).
    profiles = sorted({e["profile"] for e in entries})
    totals = {s: sum(e["counts"][s] for e in entries) for s in STATUSES}
    now = utc_now()
    return {
        "title_vi": TITLE_VI,
        "title_en": TITLE_EN,
        "agency": {"id": agency.id, "name": agency.name, "name_en": agency.name_en},
        "runs": sorted({r.run_id for r in rows}),
        "profile": profiles[0] if len(profiles) == 1 else "mixed",
        "profiles": profiles,
        "profile_name_vi": "; ".join(_profile_name(catalog, p) for p in profiles),
        "evaluated_at": _aware(max(r.evaluated_at for r in rows)).isoformat(),
        "generated_at": now.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
        "generated_on_vi": vietnamese_date(now),
        "summary": {
            "systems": len(entries),
            **totals,
            "approved_lower": [e["id"] for e in entries if e["approved_lower"]],
            "unapproved": [e["id"] for e in entries if not e["approved_level"]],
        },
        "systems": entries,
    }


def _known_run(session: Session, run_id: str, agency_id: str) -> None:
    """Say why a named run gave no results: no such run, or none of the agency's systems."""
    held = select(ComplianceResult.run_id).where(ComplianceResult.run_id == run_id).limit(1)
    if session.scalar(held) is None:
        raise SocError(
            f"unknown compliance run: {run_id!r}", hint="soc policy eval prints each run's id"
        )
    raise SocError(f"run {run_id!r} evaluated none of the systems of agency {agency_id!r}")


def write_report(report: dict[str, Any], fmt: str, target: Path | None) -> Path | None:
    """Write the report; JSON without a target goes to standard output."""
    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if target is None:
            sys.stdout.write(text + "\n")
            return None
        return _write_file(target, (text + "\n").encode("utf-8"))
    target = target or Path(f"bao-cao-{report['agency']['id']}.{fmt}")
    if fmt == "xlsx":
        from policies.xlsx import report_workbook

        return _write_file(target, report_workbook(report))
    if fmt == "pdf":
        from policies.pdf import report_pdf

        return _write_file(target, report_pdf(report))
    raise SocError(f"unknown report format {fmt!r}", hint="use json, xlsx or pdf")


def _write_file(target: Path, data: bytes) -> Path:
    try:
        target.write_bytes(data)
    except OSError as e:
        reason = "is a directory" if target.is_dir() else (e.strerror or str(e))
        raise SocError(f"cannot write the report: {reason}", source=target) from e
    return target
