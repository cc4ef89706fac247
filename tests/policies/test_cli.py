"""``soc policy eval`` and ``soc compliance report|changes`` through the CLI entry point."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.dom.minidom import parseString

import pytest

from policies.cli import evaluation_moment
from soc.cli.main import main
from soc.errors import SocError
from soc.stores.sqlite import SqliteEventStore
from tests.policies.conftest import DEMO, feed_demo


@pytest.fixture
def home(soc_home: Path) -> Path:
    assert main(["assets", "import", str(DEMO / "inventory.yaml")]) == 0
    assert main(["evidence", "import", str(DEMO / "evidence.yaml")]) == 0
    store = SqliteEventStore(soc_home / "events.db")
    feed_demo(store, at=datetime(2026, 11, 20, 2, tzinfo=UTC), skip=("dng-camera",))
    store.close()
    return soc_home


def test_evaluation_moment() -> None:
    now = datetime(2026, 11, 23, 5, tzinfo=UTC)
    assert evaluation_moment("2026-11-20", now).isoformat() == "2026-11-20T23:59:59+07:00"
    assert evaluation_moment("2026-11-23", now) == now
    assert evaluation_moment(None, now) == now
    with pytest.raises(SocError, match="not a date"):
        evaluation_moment("yesterday", now)


def test_eval_table_then_json_with_changes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "eval", "--date", "2026-11-20T10:00:00+07:00"]) == 0
    table = capsys.readouterr().out
    assert "dng-motcua                2/3!" in table
    assert "✗ CLS-01   Cấp độ được phê duyệt không thấp hơn cấp độ theo tiêu chí" in table
    assert "first run" in table
    assert main(["policy", "eval", "--date", "2026-11-21T12:00:00+07:00", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["previous_run"] and doc["profile"] == "current"
    flipped = {(c["system_id"], c["requirement_id"]) for c in doc["changes"]}
    assert ("dng-portal", "LOG-02") in flipped
    assert doc["alerts_raised"] == 0  # an evaluation of a past date tells nobody on duty
    portal = next(s for s in doc["systems"] if s["id"] == "dng-portal")
    assert portal["layers"]["2"]["reason"] == "layer2_logs"
    assert main(["compliance", "changes", "--system", "dng-portal"]) == 0
    assert "LOG-02" in capsys.readouterr().out


def test_eval_one_system_without_saving(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "eval", "--system", "dng-sso", "--no-save", "--profile", "legacy"]) == 0
    out = capsys.readouterr().out
    assert "profile legacy" in out and "dng-sso" in out and "dng-portal" not in out
    assert main(["compliance", "changes"]) == 2
    assert "no compliance run yet" in capsys.readouterr().err
    assert main(["policy", "eval", "--system", "ghost"]) == 2


def test_reports_in_json_and_xlsx(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "eval", "--date", "2026-11-20T10:00:00+07:00"]) == 0
    capsys.readouterr()
    assert main(["compliance", "report", "--agency", "dng-skhcn"]) == 2  # owns no system
    assert main(["compliance", "report", "--agency", "dng-ubnd"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["title_vi"] == "BÁO CÁO TÌNH HÌNH BẢO ĐẢM AN TOÀN HỆ THỐNG THÔNG TIN THEO CẤP ĐỘ"
    assert report["summary"]["systems"] == 9
    assert report["summary"]["approved_lower"] == ["dng-motcua"]
    assert report["summary"]["unapproved"] == ["dng-sso"]
    motcua = next(s for s in report["systems"] if s["id"] == "dng-motcua")
    cls01 = next(r for r in motcua["results"] if r["id"] == "CLS-01")
    assert cls01["status_vi"] == "Không đạt" and "thấp hơn" in cls01["message_vi"]
    target = tmp_path / "bao-cao.xlsx"
    assert (
        main(
            ["compliance", "report", "--agency", "dng-ubnd", "--format", "xlsx", "-o", str(target)]
        )
        == 0
    )
    with zipfile.ZipFile(target) as z:
        names = set(z.namelist())
        assert {"xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= names
        for name in names:
            if name.endswith((".xml", ".rels")):
                parseString(z.read(name))  # well-formed
        assert "Tổng hợp" in z.read("xl/workbook.xml").decode("utf-8")
        details = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "Cấp độ được phê duyệt không thấp hơn cấp độ theo tiêu chí" in details
    summary = z_text(target, "xl/worksheets/sheet1.xml")
    for code in ("not_applicable", ">pass<", ">fail<", ">medium<", ">governance<"):
        assert code not in summary + details  # statuses, groups and levels in Vietnamese
    assert "Quản lý, chính sách" in details and "Trung bình" in details


def z_text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def test_a_report_over_runs_of_two_profiles_names_both(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["policy", "eval", "--date", "2026-11-20T10:00:00+07:00", "--profile", "legacy"]) == 0
    )
    moment = "2026-11-21T10:00:00+07:00"
    assert main(["policy", "eval", "--date", moment, "--system", "dng-portal"]) == 0
    capsys.readouterr()
    assert main(["compliance", "report", "--agency", "dng-ubnd"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["profile"], report["profiles"]) == ("mixed", ["current", "legacy"])
    by_id = {s["id"]: s["profile"] for s in report["systems"]}
    assert by_id["dng-portal"] == "current" and by_id["dng-motcua"] == "legacy"
    assert "; " in report["profile_name_vi"]


def test_pdf_report_needs_reportlab(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "eval"]) == 0
    target = tmp_path / "r.pdf"
    code = main(
        ["compliance", "report", "--agency", "dng-ca", "--format", "pdf", "-o", str(target)]
    )
    try:
        import reportlab  # noqa: F401
    except ImportError:
        assert code == 2 and "reportlab" in capsys.readouterr().err
        return
    assert code == 0 and target.read_bytes().startswith(b"%PDF")


def test_a_store_that_keeps_too_few_days_fails_retention(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def retention_of(system: str, *config: str) -> dict[str, str]:
        assert main([*config, "policy", "eval", "--system", system, "--no-save", "--format",
                     "json", "--date", "2026-11-20T10:00:00+07:00"]) == 0  # fmt: skip
        (found,) = json.loads(capsys.readouterr().out)["systems"]
        return {
            r["requirement_id"]: r["status"]
            for r in found["results"]
            if r["requirement_id"].startswith("LOG-03")
        }

    before = retention_of("dng-portal")
    assert before and "fail" not in before.values()
    short = home / "short.toml"
    short.write_text("[store]\nretention_days = 20\n", encoding="utf-8")
    # the policy counts the logs held, and blames the store's setting once they fall short
    assert main(["--config", str(short), "store", "purge"]) == 0
    assert "purged" in capsys.readouterr().out
    assert set(retention_of("dng-portal", "--config", str(short)).values()) == {"fail"}
    assert set(retention_of("dng-portal").values()) == {"unknown"}  # 365 kept: still building
