"""One-shot installation of the Elasticsearch layout (ILM policy, index templates, dead-letter
index) with an administrator's API key: ``python -m soc.stores.es_setup [--config FILE]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from soc.config import load_settings
from soc.errors import SocError
from soc.stores.elasticsearch import ElasticsearchEventStore


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m soc.stores.es_setup",
        description="Install or upgrade the event store's layout in Elasticsearch (idempotent).",
    )
    parser.add_argument("--config", type=Path, help="TOML configuration (default: $SOC_CONFIG)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        store = ElasticsearchEventStore(settings.store.elasticsearch)
        try:
            store.ensure_setup()
        finally:
            store.close()
    except SocError as e:
        print(f"es_setup: error: {e}", file=sys.stderr)
        return 2
    layout = store.layout
    print(
        f"installed: ILM policy {layout.policy_name} ({layout.retention_days} days), "
        f"templates {layout.events_template} and {layout.dead_letter_index}, "
        f"index {layout.dead_letter_index}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
