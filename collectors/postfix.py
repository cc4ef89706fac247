"""Postfix (official mail) messages → ECS ``postfix.log``: connections, rejects, SASL, delivery."""

from __future__ import annotations

import re

from collectors.envelope import set_ip
from collectors.syslog_header import SyslogHeader
from collectors.syslog_routing import ProgramParser
from soc.ecs import Event, set_field

_CLIENT = re.compile(r"(?:client=|from |warning: )([^\[\s]*)\[([\da-fA-F.:]+)\](?::(\d+))?")
_QUEUE_ID = re.compile(r"^([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}):")
_REJECT = re.compile(r"(?:NOQUEUE|[0-9A-Za-z]+): (reject|discard|hold): (\S+) from .*?: (\d{3}) ")
_SASL_FAIL = re.compile(r"SASL (\w+) authentication failed")
_SASL_USER = re.compile(r"sasl_username=([^,\s]+)")
_ADDRESS = re.compile(r"\b(from|to)=<([^>]*)>")
_STATUS = re.compile(r"status=(\w+)")
_RELAY = re.compile(r"relay=([^,\s]+)")


class PostfixParser(ProgramParser):
    """Programs ``postfix/<daemon>``: client address, SASL logins, rejects and delivery status."""

    NAME = "postfix"
    DATASET = "postfix.log"
    MODULE = "postfix"

    def claims(self, program: str | None, message: str) -> bool:
        return program is not None and program.startswith("postfix")

    def apply(self, event: Event, header: SyslogHeader) -> None:
        message = header.message
        set_field(event, "postfix.daemon", (header.appname or "").partition("/")[2] or None)
        if queue := _QUEUE_ID.match(message):
            set_field(event, "postfix.queue_id", queue.group(1))
        if client := _CLIENT.search(message):
            host, ip, port = client.groups()
            set_ip(event, "source.ip", ip)
            if host and host != "unknown":
                set_field(event, "source.domain", host)
            if port:
                set_field(event, "source.port", int(port))
        for direction, address in _ADDRESS.findall(message):
            key = "email.from.address" if direction == "from" else "email.to.address"
            if address:
                set_field(event, key, [address])
        self._meaning(event, message)

    @staticmethod
    def _meaning(event: Event, message: str) -> None:
        if sasl := _SASL_FAIL.search(message):
            event["event"].update(
                category=["authentication"], type=["start"], outcome="failure", action="sasl_login"
            )
            set_field(event, "postfix.sasl_method", sasl.group(1))
        elif user := _SASL_USER.search(message):
            event["event"].update(
                category=["authentication"], type=["start"], outcome="success", action="sasl_login"
            )
            set_field(event, "user.name", user.group(1))
        elif reject := _REJECT.search(message):
            event["event"].update(
                category=["email"], type=["denied"], outcome="failure", action=reject.group(1)
            )
            set_field(event, "postfix.smtp_code", int(reject.group(3)))
        elif status := _STATUS.search(message):
            event["event"].update(category=["email"], type=["info"], action=status.group(1))
            event["event"]["outcome"] = "success" if status.group(1) == "sent" else "failure"
            if relay := _RELAY.search(message):
                set_field(event, "postfix.relay", relay.group(1))
        elif message.startswith(("connect from", "disconnect from")):
            event["event"].update(category=["network"], type=["connection"])
