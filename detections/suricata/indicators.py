"""Indicator domains for rule 9100204: a plain list turned into Suricata's dataset file."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from detections.suricata.rulefile import PROJECT_RULES_DIR, concatenate, project_rule_files
from detections.suricata.settings import SuricataSettings
from soc.errors import ContentError

INDICATORS_FILE = PROJECT_RULES_DIR / "indicator-domains.txt"
DATASET_FILE = "soc-indicator-domains.lst"  # the name the rule's "load" option gives
MAX_DOMAINS = 1_000_000
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$"
)


def read_domain_list(path: Path) -> list[str]:
    """Domains of a list file (``#`` comments, blank lines skipped); a bad line names its line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ContentError(f"cannot read the domain list: {e}", source=path) from e
    domains: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip().lower().rstrip(".")
        if not text:
            continue
        if not _DOMAIN.match(text):
            raise ContentError(f"not a domain name: {text[:80]!r}", source=path, line=number)
        domains.append(text)
    return domains


def indicator_domains(settings: SuricataSettings) -> list[str]:
    """The project's list, then the configured domains and file; sorted, without repeats."""
    found = set(read_domain_list(INDICATORS_FILE))
    for domain in settings.indicator_domains:
        text = domain.strip().lower().rstrip(".")
        if not _DOMAIN.match(text):
            raise ContentError(f"[suricata] indicator_domains: not a domain name: {text!r}")
        found.add(text)
    if settings.indicator_domains_file is not None:
        found.update(read_domain_list(settings.indicator_domains_file))
    if len(found) > MAX_DOMAINS:
        raise ContentError(f"more than {MAX_DOMAINS} indicator domains")
    return sorted(found)


def dataset_text(domains: Iterable[str]) -> str:
    # Suricata's string datasets hold one base64-encoded value per line
    return "".join(base64.b64encode(d.encode()).decode() + "\n" for d in domains)


def write_project_ruleset(
    folder: Path, domains: Sequence[str], rules_dir: Path = PROJECT_RULES_DIR
) -> Path:
    """``soc.rules`` (all project rules) with its dataset beside it, ready for ``suricata -S``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DATASET_FILE).write_text(dataset_text(domains), encoding="utf-8")
    return concatenate(project_rule_files(rules_dir), folder / "soc.rules")
