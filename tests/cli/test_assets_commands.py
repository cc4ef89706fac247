"""``soc assets`` / ``soc evidence`` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc.cli.main import main

DEMO = Path(__file__).resolve().parents[2] / "soc" / "data" / "danang"


def test_import_list_export_and_reimport(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assets", "import", str(DEMO / "inventory.yaml")]) == 0
    assert main(["evidence", "import", str(DEMO / "evidence.yaml")]) == 0
    assert "imported 11 agencies, 12 systems" in capsys.readouterr().out
    assert main(["assets", "list", "--agency", "dng-ca", "--format", "json"]) == 0
    listed = capsys.readouterr().out
    assert '"id": "dng-camera"' in listed and "dng-portal" not in listed
    out = tmp_path / "inv.csv"
    assert main(["assets", "export", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("record,id,name")
    assert main(["assets", "import", str(out), "--prune"]) == 0
    assert "removed 0" in capsys.readouterr().out
    assert main(["evidence", "list", "--system", "dng-portal"]) == 0
    assert "dossier-portal" in capsys.readouterr().out


def test_a_bad_file_reports_every_problem_and_imports_nothing(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (DEMO / "inventory.yaml").read_text(encoding="utf-8").replace("zone: man", "zone: moon"),
        encoding="utf-8",
    )
    assert main(["assets", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "systems[1].zone" in err and "nothing imported" in err
    assert main(["assets", "list", "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_evidence_before_inventory_is_a_clear_error(
    soc_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evidence", "import", str(DEMO / "evidence.yaml")]) == 2
    err = capsys.readouterr().err
    assert "evidence.yaml:19: evidence 'ubnd-infosec-unit' names an unknown agency" in err


def test_evidence_round_trips_through_csv(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assets", "import", str(DEMO / "inventory.yaml")]) == 0
    assert main(["evidence", "import", str(DEMO / "evidence.yaml")]) == 0
    capsys.readouterr()
    out = tmp_path / "evidence.csv"
    assert main(["evidence", "export", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("id,kind,system,agency,title") and "dossier-portal" in text
    rows = len(text.strip().splitlines()) - 1
    assert main(["evidence", "import", str(out)]) == 0
    assert f"imported {rows} evidence records" in capsys.readouterr().out
    assert main(["evidence", "export", "--format", "csv"]) == 0
    assert capsys.readouterr().out == text
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace(",dng-portal,", ",no-such-system,", 1), encoding="utf-8")
    assert main(["evidence", "import", str(broken)]) == 2
    assert "'dossier-portal' names an unknown system" in capsys.readouterr().err
