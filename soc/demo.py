"""Demo data for ``soc up --demo``: a day of attacks on Đà Nẵng's systems as raw source files.

The files are generated once into ``<home>/demo/`` and ingested through the real pipeline, so a
second start finds the same files and adds nothing. Addresses are documentation ranges
(RFC 5737) for attackers; targets are taken from the demo inventory when it is loaded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from soc.ecs import utc_now

ATTACKERS = ("198.51.100.23", "198.51.100.77", "203.0.113.45", "203.0.113.9", "192.0.2.200")


@dataclass(frozen=True)
class Target:
    ip: str
    hostname: str


DEMO_DATA = Path(__file__).resolve().parent / "data" / "danang"
DEMO_INVENTORY = DEMO_DATA / "inventory.yaml"
DEMO_EVIDENCE = DEMO_DATA / "evidence.yaml"

# Addresses inside the demo inventory's ranges, so enrichment names the system and its level.
DEFAULT_TARGETS = (
    Target("10.10.20.11", "dichvucong.danang.gov.vn"),
    Target("10.10.20.40", "motcua.danang.gov.vn"),
    Target("10.10.30.5", "lgsp.danang.gov.vn"),
)
SSH_SERVER = Target("10.10.10.15", "dc-app-01")

WEB_ATTACKS = (
    (
        9100101,
        "SOC WEB SQL injection attempt in URI (UNION SELECT)",
        "Web Application Attack",
        1,
        "/dvc/tra-cuu?ma=1%27%20UNION%20SELECT%20username,password%20FROM%20users--",
    ),
    (
        9100102,
        "SOC WEB Path traversal attempt on the portal",
        "Web Application Attack",
        1,
        "/static/../../../../etc/passwd",
    ),
    (
        9100103,
        "SOC WEB Web shell access (cmd parameter on a .php upload)",
        "Web Application Attack",
        1,
        "/uploads/hoso/shell.php?cmd=whoami",
    ),
    (
        9100104,
        "SOC SCAN Vulnerability scanner user agent (sqlmap/nikto)",
        "Attempted Recon",
        2,
        "/index.php?id=1",
    ),
)


def _eve_alert(
    moment: datetime,
    flow: int,
    attacker: str,
    target: Target,
    attack: tuple[int, str, str, int, str],
) -> str:
    sid, signature, category, severity, uri = attack
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    return json.dumps(
        {
            "timestamp": moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S.%f%z"),
            "flow_id": flow,
            "event_type": "alert",
            "src_ip": attacker,
            "src_port": 40000 + flow % 20000,
            "dest_ip": target.ip,
            "dest_port": 443 if flow % 2 else 80,
            "proto": "TCP",
            "alert": {
                "action": "allowed",
                "gid": 1,
                "signature_id": sid,
                "rev": 1,
                "signature": signature,
                "category": category,
                "severity": severity,
            },
            "http": {
                "hostname": target.hostname,
                "url": uri,
                "http_method": "GET",
                "status": 200,
                "http_user_agent": "sqlmap/1.8" if sid == 9100104 else "Mozilla/5.0",
            },
            "app_proto": "http",
        }
    )


def _syslog_stamp(moment: datetime) -> str:
    """RFC 3164 time stamp: ``Nov  3 08:15:02`` (day padded with a space)."""
    return f"{moment:%b} {moment.day:>2} {moment:%H:%M:%S}"


def _auth_lines(start: datetime) -> list[str]:
    """An SSH brute force on a data-centre server that ends in a successful login."""
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    lines = []
    for i in range(25):
        moment = (start + timedelta(seconds=7 * i)).astimezone(tz)
        stamp = _syslog_stamp(moment)
        user = ("root", "admin", "oracle", "test")[i % 4]
        lines.append(
            f"{stamp} {SSH_SERVER.hostname} sshd[{4100 + i}]: Failed password for "
            f"{user} from 198.51.100.23 port {51000 + i} ssh2"
        )
    moment = (start + timedelta(seconds=200)).astimezone(tz)
    stamp = _syslog_stamp(moment)
    lines.append(
        f"{stamp} {SSH_SERVER.hostname} sshd[4190]: Accepted password for admin from "
        "198.51.100.23 port 51999 ssh2"
    )
    return lines


def write_demo_files(
    directory: Path, targets: tuple[Target, ...] = DEFAULT_TARGETS, now: datetime | None = None
) -> dict[str, Path]:
    """Write the demo source files once; later calls return the same files untouched."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {"suricata-eve": directory / "eve.json", "syslog": directory / "auth.log"}
    if all(p.exists() for p in files.values()):
        return files
    now = now or utc_now()
    rng = random.Random(20261223)  # the December drill: stable demo content
    alerts = []
    for n in range(80):
        moment = now - timedelta(minutes=rng.randint(1, 24 * 60))
        alerts.append(
            _eve_alert(
                moment,
                7_000_000 + n,
                rng.choice(ATTACKERS),
                rng.choice(targets),
                rng.choice(WEB_ATTACKS),
            )
        )
    files["suricata-eve"].write_text("\n".join(alerts) + "\n", encoding="utf-8")
    files["syslog"].write_text(
        "\n".join(_auth_lines(now - timedelta(hours=3))) + "\n", encoding="utf-8"
    )
    return files
