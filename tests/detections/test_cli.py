"""``soc detect``, ``soc sigma …`` and ``soc alerts …`` end to end on a temporary home."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from soc.cli.main import main

RULES = """
title: SSH failed password
id: d0d0d0d0-0000-0000-0000-000000000001
name: t_ssh_failed
level: low
tags: [attack.credential-access, attack.t1110.001]
logsource: {product: linux, service: sshd}
detection:
    kw: ['Failed password']
    condition: kw
---
title: SSH accepted
id: d0d0d0d0-0000-0000-0000-000000000002
name: t_ssh_ok
logsource: {product: linux, service: sshd}
detection:
    sel: {event.outcome: success, process.name: sshd}
    condition: sel
---
title: SSH brute force then success
id: d0d0d0d0-0000-0000-0000-000000000003
level: critical
correlation:
    type: temporal_ordered
    generate: true
    rules: [t_ssh_failed, t_ssh_ok]
    group-by: [source.ip]
    timespan: 10m
"""


def _auth_log(path: Path) -> Path:
    lines = [
        f"Mar  1 02:00:0{n} bastion sshd[12]: Failed password for root from 203.0.113.9"
        " port 22 ssh2"
        for n in range(3)
    ]
    lines.append(
        "Mar  1 02:00:09 bastion sshd[12]: Accepted password for root from 203.0.113.9 port 22 ssh2"
    )
    lines.append(
        "Mar  1 02:01:00 bastion CRON[99]: pam_unix(cron:session): session opened for user root"
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "ssh.yml").write_text(textwrap.dedent(RULES), encoding="utf-8")
    return folder


def test_detect_on_files_prints_one_json_per_match(
    soc_home: Path, rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _auth_log(tmp_path / "auth.log")
    code = main(
        [
            "detect",
            "--rules-only",
            "--rules",
            str(rules),
            "--input",
            str(log),
            "--source-type",
            "syslog",
        ]
    )
    assert code == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    titles = [o["rule"]["title"] for o in out]
    assert titles.count("SSH failed password") == 3 and titles.count("SSH accepted") == 1
    first = out[0]
    assert first["rule"] == {
        "id": "d0d0d0d0-0000-0000-0000-000000000001",
        "title": "SSH failed password",
        "level": "low",
        "tags": ["attack.credential-access", "attack.t1110.001"],
    }
    assert first["event"]["log.file.path"] == str(log.resolve()) and first["event"]["event.id"]
    (corr,) = [o for o in out if o["rule"]["level"] == "critical"]
    assert len(corr["event_ids"]) == 2  # the first failure and the success, in order


def test_detect_over_the_store_and_scheduled_alerts(
    soc_home: Path, rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _auth_log(tmp_path / "auth.log")
    assert main(["ingest", "--source-type", "syslog", "--json", str(log)]) == 0
    capsys.readouterr()
    assert main(["detect", "--rules-only", "--rules", str(rules), "--format", "table"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 5 and "SSH failed password" in table[0]
    assert main(["sigma", "run-scheduled", "--rules-only", "--rules", str(rules)]) == 0
    assert "1 new alerts" in capsys.readouterr().out
    assert main(["alerts", "list", "--format", "json"]) == 0
    (alert,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert alert["rule"]["level"] == "critical" and alert["entities"]["source_ip"] == "203.0.113.9"


def test_detect_refuses_unknown_source_type(
    soc_home: Path, rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _auth_log(tmp_path / "auth.log")
    assert (
        main(
            [
                "detect",
                "--rules-only",
                "--rules",
                str(rules),
                "--input",
                str(log),
                "--source-type",
                "nope",
            ]
        )
        == 2
    )
    assert "unknown source type" in capsys.readouterr().err


def test_sigma_list_reports_broken_rules(
    soc_home: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "broken.yml").write_text(
        "title: x\ndetection: {condition: nothing}\n", encoding="utf-8"
    )
    assert main(["sigma", "list", "--rules-only", "--rules", str(rules), "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["loaded"] == 2 and body["failed"] == 1
    assert {i["path"].split("/")[-1] for i in body["issues"] if i["kind"] == "failed"} == {
        "broken.yml"
    }


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("sqlite", "SELECT * FROM events_view"),
        ("esql", "from logs-soc-events-*"),
        ("lucene", "event.outcome:success"),
        ("eql", "any where"),
    ],
)
def test_sigma_convert_targets(
    soc_home: Path, rules: Path, target: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    single = rules / "single.yml"
    single.write_text(textwrap.dedent(RULES).split("---")[1], encoding="utf-8")
    assert main(["sigma", "convert", "--target", target, str(single)]) == 0
    assert needle in capsys.readouterr().out


def test_export_elastic_and_navigator(
    soc_home: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    single = rules / "single.yml"
    single.write_text(
        textwrap.dedent(RULES)
        .split("---")[1]
        .replace(
            "title: SSH accepted",
            "title: SSH accepted\ntags: [attack.initial-access, attack.t1078]",
        )
        .replace("0002", "0009"),
        encoding="utf-8",
    )
    assert main(["sigma", "export-elastic", str(single)]) == 0
    (rule,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (
        rule["type"] == "query"
        and rule["language"] == "lucene"
        and rule["index"] == ["logs-soc-events-*"]
    )
    assert (
        rule["threat"][0]["tactic"]["id"] == "TA0001"
        and rule["threat"][0]["technique"][0]["id"] == "T1078"
    )
    assert main(["sigma", "navigator", "--rules-only", "--rules", str(rules)]) == 0
    layer = json.loads(capsys.readouterr().out)
    assert {t["techniqueID"] for t in layer["techniques"]} == {"T1110.001", "T1078"}


def test_alert_suppressions_from_the_command_line(
    soc_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "alerts",
                "suppress",
                "--rule",
                "*",
                "--field",
                "source_ip",
                "--value",
                "10.0.0.5",
                "--reason",
                "scanner",
                "--author",
                "lan",
                "--expires",
                "7d",
            ]
        )
        == 0
    )
    assert main(["alerts", "suppressions"]) == 0
    assert "source_ip=10.0.0.5" in capsys.readouterr().out
    assert main(["alerts", "unsuppress", "1", "--actor", "lan"]) == 0
    assert (
        main(["alerts", "unsuppress", "1", "--actor", "lan"]) == 2
    )  # already gone: one-line error
    assert "no suppression 1" in capsys.readouterr().err
