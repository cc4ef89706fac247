"""The collectors of ``soc up``: a tailed file in a background thread reaches the store."""

from __future__ import annotations

import time
from pathlib import Path

from collectors.service import CollectorService
from soc.config import SourceSettings, load_settings
from soc.runtime import Platform
from soc.stores.base import EventQuery

LINE = (
    "Nov 23 08:00:%02d dc-app-01 sshd[77]: Failed password for root from 203.0.113.5"
    " port 4%03d ssh2\n"
)


def test_background_collectors_tail_into_the_store_and_stop(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text("".join(LINE % (i, i) for i in range(5)))
    source = SourceSettings(
        name="auth", type="file", source_type="syslog", path=str(log), from_beginning=True,
        options={"poll_seconds": 0.1},
    )  # fmt: skip
    settings = load_settings(home=tmp_path / "home", environ={}).model_copy(
        update={"sources": [source]}
    )
    platform = Platform.open(settings)
    service = CollectorService(platform, settings.sources)
    try:
        service.start_in_thread()
        with log.open("a") as f:
            f.write("".join(LINE % (i, i) for i in range(5, 12)))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and platform.store.count(EventQuery()) < 12:
            time.sleep(0.1)
        assert platform.store.count(EventQuery(dataset="linux.auth")) == 12
    finally:
        service.stop_thread()
        platform.close()
    assert service._thread is not None and not service._thread.is_alive()
