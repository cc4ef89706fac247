"""Indicator domains for rule 9100204: list files, configuration, the dataset Suricata loads."""

from __future__ import annotations

import base64
import tarfile
from pathlib import Path

import pytest

from detections.suricata.indicators import (
    DATASET_FILE,
    dataset_text,
    indicator_domains,
    read_domain_list,
    write_project_ruleset,
)
from detections.suricata.ruleset import project_rules_archive
from detections.suricata.settings import SuricataSettings
from soc.errors import ContentError


def test_domain_lists_skip_comments_and_name_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "ti.txt"
    path.write_text("# feed 2026-11-23\nBad-Domain.VN.\n\nok.example  # note\n")
    assert read_domain_list(path) == ["bad-domain.vn", "ok.example"]
    path.write_text("ok.example\nhttp://not a domain/\n")
    with pytest.raises(ContentError) as caught:
        read_domain_list(path)
    assert caught.value.line == 2


def test_configured_domains_join_the_project_list(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("from-file.example\n")
    settings = SuricataSettings(
        indicator_domains=["From-Config.example", "c2-drill.soc.test"], indicator_domains_file=feed
    )
    domains = indicator_domains(settings)
    assert {"from-config.example", "from-file.example", "c2-drill.soc.test"} <= set(domains)
    assert domains == sorted(set(domains))
    with pytest.raises(ContentError, match="not a domain"):
        indicator_domains(SuricataSettings(indicator_domains=["no spaces allowed"]))


def test_dataset_is_base64_lines_beside_the_rules(tmp_path: Path) -> None:
    assert dataset_text(["a.vn", "b.vn"]) == "YS52bg==\nYi52bg==\n"
    rules = write_project_ruleset(tmp_path / "out", ["a.vn"])
    assert "sid:9100204;" in rules.read_text()
    assert (rules.parent / DATASET_FILE).read_text() == "YS52bg==\n"
    archive = project_rules_archive(tmp_path / "src.tar.gz", ["a.vn"])
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        member = tar.extractfile(f"rules/{DATASET_FILE}")
        assert member is not None
        assert base64.b64decode(member.read().strip()) == b"a.vn"
    assert "rules/dns.rules" in names
    again = project_rules_archive(tmp_path / "again.tar.gz", ["a.vn"])
    assert again.read_bytes() == archive.read_bytes()
