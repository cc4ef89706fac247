"""Shared fixtures: the public datasets beside the project, temporary homes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests judge results, never speed: hypothesis's default 200 ms deadline per example and
# its "too slow" health check would fail them on a loaded CI machine (timing is for bench/).
settings.register_profile(
    "soc", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("soc")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"


@pytest.fixture
def datasets() -> Path:
    """``../shared/datasets``; tests that need it skip cleanly on a user's clone without it."""
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not present")
    return DATASETS


@pytest.fixture
def soc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SOC_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server started for this test session."""
    from tests.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture
def demo_assets_home(soc_home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A data directory holding the Đà Nẵng demo inventory (imported through the CLI)."""
    from soc.cli.main import main

    assert main(["assets", "import", str(ROOT / "soc" / "data" / "danang" / "inventory.yaml")]) == 0
    capsys.readouterr()
    return soc_home
