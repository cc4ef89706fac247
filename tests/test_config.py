"""Typed configuration: defaults need no file, errors name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc.config import load_settings
from soc.errors import ConfigError


def test_defaults_need_no_file(tmp_path: Path) -> None:
    settings = load_settings(environ={}, home=tmp_path)
    assert settings.store.backend == "sqlite"
    assert settings.console.port == 8050 and settings.console.host == "127.0.0.1"
    assert settings.events_path == tmp_path / "events.db"
    assert settings.state_url == f"sqlite:///{tmp_path / 'state.db'}"


def test_home_from_environment(tmp_path: Path) -> None:
    settings = load_settings(environ={"SOC_HOME": str(tmp_path / "h")})
    assert settings.home == (tmp_path / "h").resolve()


def test_example_file_is_valid_and_complete() -> None:
    example = Path(__file__).resolve().parents[1] / "soc.example.toml"
    settings = load_settings(example, environ={})
    assert settings.console.language == "vi"
    assert settings.sources, "the example documents at least one source"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[store]\nbackend = "mongodb"\n', "store.backend"),
        ("[console]\nport = 70000\n", "console.port"),
        ("[console]\nprot = 8050\n", "console.prot"),
        ("[ingest]\nbatch_size = 0\n", "ingest.batch_size"),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "soc.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    message = str(info.value)
    assert key in message and str(path) in message and "hint" in message


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "soc.toml"
    path.write_text("[store\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, environ={})
