"""Rule-set management with the real suricata-update, offline, in the platform's own folder."""

from __future__ import annotations

import base64
import io
import tarfile
from pathlib import Path

import pytest
from pydantic import ValidationError

from detections.suricata.engine import SuricataEngine
from detections.suricata.ruleset import RulesetManager, count_rules, source_url
from detections.suricata.settings import RuleSource, SuricataSettings
from soc.errors import ConfigError
from tests.detections.suricata.conftest import suricata_or_skip

LAB_RULES = (
    'alert http any any -> any any (msg:"LAB one"; http.uri; content:"/aaa"; sid:8000001; rev:1;)\n'
    'alert http any any -> any any (msg:"LAB two"; http.uri; content:"/bbb"; sid:8000002; rev:1;)\n'
    '# alert http any any -> any any (msg:"LAB 3"; http.uri; content:"/c"; sid:8000003; rev:1;)\n'
)


def lab_source(folder: Path, text: str = LAB_RULES) -> Path:
    """A local rule source like a mirrored ET Open archive: rules/*.rules in a tar.gz."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "lab-rules.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        data = text.encode()
        info = tarfile.TarInfo("rules/lab.rules")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return target


def manager(home: Path, **options: object) -> RulesetManager:
    settings = SuricataSettings.model_validate(
        {"binary": str(suricata_or_skip()), "test_ruleset": False, **options}
    )
    workdir = home / "suricata"
    return RulesetManager(workdir, settings, SuricataEngine(settings, workdir))


def rule_line(path: Path, sid: int) -> str:
    return next(line for line in path.read_text().splitlines() if f"sid:{sid};" in line)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network would go to a closed port and fail the update."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)


@pytest.mark.suricata
def test_update_offline_with_filters_and_a_recorded_version(tmp_path: Path, offline: None) -> None:
    source = lab_source(tmp_path / "mirror")
    m = manager(
        tmp_path,
        sources=[{"name": "lab", "url": str(source)}],
        disable=["9100031"],
        enable=["8000003"],
        modify=['8000001 "/aaa" "/zzz"'],
        test_ruleset=True,
    )
    result = m.update()
    assert result.changed is True
    assert rule_line(m.rules_path, 9100031).startswith("# alert")
    assert rule_line(m.rules_path, 8000003).startswith("alert")
    assert 'content:"/zzz"' in rule_line(m.rules_path, 8000001)
    assert rule_line(m.rules_path, 9100001).startswith("alert")  # project rules are a source
    version = result.version
    assert set(version.sources) == {"soc-project", "lab"}
    assert (version.rules_total, version.rules_enabled) == count_rules(m.rules_path)
    assert Path(version.path).read_bytes() == m.rules_path.read_bytes()
    assert m.active() == version
    assert (tmp_path / "suricata" / "update" / "update" / "sources" / "lab.yaml").is_file()


@pytest.mark.suricata
def test_versions_change_only_when_the_rules_do(tmp_path: Path, offline: None) -> None:
    source = lab_source(tmp_path / "mirror")
    m = manager(tmp_path, sources=[{"name": "lab", "url": source.as_uri()}])
    first = m.update().version
    again = m.update()
    assert (again.changed, again.version.sha256) == (False, first.sha256)
    lab_source(tmp_path / "mirror", LAB_RULES.replace("/bbb", "/bbb-v2"))
    changed = m.update()
    assert changed.changed is True
    assert [v.sha256 for v in m.history()] == [first.sha256, changed.version.sha256]
    assert 'content:"/bbb-v2"' in rule_line(m.rules_path, 8000002)


@pytest.mark.suricata
def test_a_source_removed_from_the_configuration_leaves_the_rule_set(
    tmp_path: Path, offline: None
) -> None:
    source = lab_source(tmp_path / "mirror")
    manager(tmp_path, sources=[{"name": "lab", "url": str(source)}]).update()
    m = manager(tmp_path, keep_versions=1)
    m.update()
    assert set(m.registered_sources()) == {"soc-project"}
    assert "sid:8000001;" not in m.rules_path.read_text()
    assert len(list((tmp_path / "suricata" / "history").glob("*.rules"))) == 1


def test_sources_must_be_local_files_unless_remote_is_allowed(tmp_path: Path) -> None:
    remote = RuleSource(name="et", url="https://rules.example/et.tar.gz")
    with pytest.raises(ConfigError, match="not allowed"):
        source_url(remote, allow_remote=False)
    assert source_url(remote, allow_remote=True) == remote.url
    for url in ("relative/rules.tar.gz", str(tmp_path / "missing.rules")):
        with pytest.raises(ConfigError, match="existing absolute file"):
            source_url(RuleSource(name="x", url=url), allow_remote=False)
    with pytest.raises(ValidationError):
        RuleSource(name="Bad Name", url="/x")
    with pytest.raises(ValidationError):
        SuricataSettings(disable=["1\n2"])


def test_no_source_at_all_is_a_configuration_error(tmp_path: Path) -> None:
    settings = SuricataSettings(include_project_rules=False)
    m = RulesetManager(tmp_path, settings, SuricataEngine(settings, tmp_path))
    with pytest.raises(ConfigError, match="no rule source"):
        m.wanted_sources()


@pytest.mark.suricata
def test_configured_indicator_domains_reach_the_active_rule_set(
    tmp_path: Path, offline: None
) -> None:
    m = manager(tmp_path, indicator_domains=["bad-update.example.vn"])
    m.update()
    line = rule_line(m.rules_path, 9100204)
    assert line.startswith("alert") and "load datasets/" in line
    dataset = m.output / line.split("load ", 1)[1].split(";", 1)[0]
    values = {base64.b64decode(v) for v in dataset.read_text().split()}
    assert {b"bad-update.example.vn", b"c2-drill.soc.test"} <= values
