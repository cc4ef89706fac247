"""Building the detection side from the settings: rule paths, caches, the streaming observer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from detections.alert_store import AlertWriter
from detections.sigma.engine import SigmaEngine
from detections.sigma.loader import PROJECT_RULES, RuleSet, load_rules
from detections.sigma.scheduler import ScheduledRunner
from detections.streaming import StreamingDetector
from soc.config import Settings
from soc.errors import ConfigError
from soc.state.db import StateDB


def sigma_cache_dir(settings: Settings) -> Path:
    return settings.home / "cache" / "sigma"


def sigma_rule_paths(settings: Settings, extra: Sequence[Path] = ()) -> list[Path]:
    """The project's rules, the configured trees, then any given on the command line."""
    paths = [PROJECT_RULES, *settings.detections.sigma_paths, *extra]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ConfigError(
            f"Sigma rule path not found: {', '.join(missing)}",
            hint="check detections.sigma_paths in the configuration",
        )
    return paths


def load_sigma(
    settings: Settings, paths: Sequence[Path] | None = None, *, audit: bool = True
) -> RuleSet:
    chosen = list(paths) if paths is not None else sigma_rule_paths(settings)
    return load_rules(chosen, cache_dir=sigma_cache_dir(settings), audit=audit)


def sigma_engine(settings: Settings, ruleset: RuleSet | None = None) -> SigmaEngine:
    rules = ruleset if ruleset is not None else load_sigma(settings)
    return SigmaEngine(rules.rules, code_cache=sigma_cache_dir(settings))


def streaming_detector(settings: Settings, state: StateDB) -> StreamingDetector:
    """What ``soc.runtime.build_observers`` adds to the pipeline when streaming is on."""
    writer = AlertWriter(state, window_seconds=settings.detections.group_window_seconds)
    return StreamingDetector([sigma_engine(settings)], writer)


def scheduled_runner(settings: Settings, state: StateDB) -> ScheduledRunner:
    """Correlations of the configured rules over the embedded store (``soc.scheduler`` runs
    ``run_once`` every minute or so)."""
    from detections.sigma.correlations import scheduled_correlations

    rules, _ = scheduled_correlations(load_sigma(settings))
    writer = AlertWriter(state, window_seconds=settings.detections.group_window_seconds)
    return ScheduledRunner(settings.events_path, state, rules, writer)
