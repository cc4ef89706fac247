"""nginx and Apache access/error lines forwarded by syslog → ``nginx.*`` / ``apache.*`` events."""

from __future__ import annotations

from collectors.syslog_header import SyslogHeader
from collectors.syslog_routing import ProgramParser
from collectors.web_access import map_access, match_access
from soc.ecs import Event

_SERVERS = {"nginx": "nginx", "apache": "apache", "apache2": "apache", "httpd": "apache"}


class WebSyslogParser(ProgramParser):
    """The program names the server; an access-log body gets the same fields as a file line."""

    NAME = "web-syslog"
    DATASET = "nginx.access"
    MODULE = "nginx"
    PROGRAMS = frozenset(_SERVERS)

    def apply(self, event: Event, header: SyslogHeader) -> None:
        server = _SERVERS[header.appname or "nginx"]
        event["event"]["module"] = server
        m = match_access(header.message)
        if m is None:
            event["event"]["dataset"] = f"{server}.error"
            event["event"].update(category=["web"], type=["error"])
            return
        event["event"]["dataset"] = f"{server}.access"
        syslog_time = event["@timestamp"]
        map_access(event, m)
        event.setdefault("event", {})["created"] = syslog_time
