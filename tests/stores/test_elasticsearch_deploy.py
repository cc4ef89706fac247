"""The scale-out deployment files agree with the code: the containers' configuration loads,
every link is TLS, secrets are only referenced, and the API keys cover the store's indices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from soc.config import load_settings
from soc.stores.es_schema import IndexLayout

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))
    return data


def test_container_configuration_loads_and_uses_tls(tmp_path: Path) -> None:
    settings = load_settings(DEPLOY / "soc" / "soc.toml", environ={})
    es = settings.store.elasticsearch
    assert settings.store.backend == "elasticsearch"
    assert all(host.startswith("https://") for host in es.hosts)
    assert es.verify_certs and str(es.ca_certs) == "/certs/ca/ca.crt"
    assert "sslmode=verify-full" in settings.state_url
    assert settings.policy.engine == "opa" and str(settings.policy.opa_url).startswith("https://")
    assert IndexLayout.from_settings(es).prefix == "logs-soc"


def test_services_depend_only_on_services_that_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown {needed}"


def test_secrets_are_referenced_never_written(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|ENCRYPTIONKEY|API_KEY$", key):
                assert re.fullmatch(r"\$\{[A-Z_]+\}", str(value)), f"{name}.{key} is a literal"
    ignored = (DEPLOY / ".gitignore").read_text("utf-8").split()
    assert ".env" in ignored and "secrets/" in ignored
    example = (DEPLOY / "env.example").read_text("utf-8")
    assert re.search(r"^ELASTIC_PASSWORD=CHANGE", example, re.MULTILINE)


def test_elasticsearch_nodes_use_tls_on_both_layers(compose: dict[str, Any]) -> None:
    nodes = [s for n, s in compose["services"].items() if re.fullmatch(r"es\d\d", n)]
    assert len(nodes) == 3
    for node in nodes:
        env = node["environment"]
        assert env["xpack.security.enabled"] == "true"
        assert env["xpack.security.http.ssl.enabled"] == "true"
        assert env["xpack.security.transport.ssl.enabled"] == "true"
        assert env["xpack.security.http.ssl.key"].endswith(f"{env['node.name']}.key")


def test_published_ports_are_loopback_except_log_intake(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:") or str(port).endswith("/udp"), name


def test_each_soc_job_gets_a_key_that_setup_creates(compose: dict[str, Any]) -> None:
    script = (DEPLOY / "es" / "setup.sh").read_text("utf-8")
    made = set(re.findall(r"^make_key (\w+) ", script, re.MULTILINE))
    assert made == {"admin", "ingest", "read"}
    jobs = {
        name: service["environment"]["SOC_ES_KEY_FILE"]
        for name, service in compose["services"].items()
        if "SOC_ES_KEY_FILE" in (service.get("environment") or {})
    }
    assert jobs == {
        "soc-setup": "/secrets/es-admin.env",
        "soc": "/secrets/es-ingest.env",
        "soc-console": "/secrets/es-read.env",
    }


def test_key_privileges_cover_the_store_indices() -> None:
    script = (DEPLOY / "es" / "setup.sh").read_text("utf-8")
    layout = IndexLayout(prefix="any-prefix")
    names = re.search(r'^events="(.*)"$', script, re.MULTILINE)
    assert names is not None
    granted = names.group(1).replace("${prefix}", "any-prefix").replace('\\"', "")
    assert set(granted.split(",")) == {layout.events_pattern, layout.dead_letter_index}
    # writers create, never overwrite: no "index" or "write" privilege on the event indices
    ingest = re.search(r'^ingest="(.*?)"$', script, re.MULTILINE | re.DOTALL)
    assert ingest is not None and '\\"create_doc\\"' in ingest.group(1)
    assert '\\"write\\"' not in ingest.group(1) and '\\"index\\"' not in ingest.group(1)
