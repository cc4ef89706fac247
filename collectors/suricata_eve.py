"""Suricata eve.json records (alert, http, dns, tls, flow, fileinfo, anomaly, …) mapped to ECS."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from collectors.base import Parser, RawRecord
from collectors.envelope import decode_text, iso_timestamp, new_event, to_int
from soc.ecs import Event, set_field
from soc.errors import ParseError

_CATEGORY: dict[str, tuple[list[str], list[str]]] = {
    "alert": (["network", "intrusion_detection"], ["info"]),
    "http": (["network", "web"], ["protocol", "access"]),
    "dns": (["network"], ["protocol", "info"]),
    "tls": (["network"], ["protocol"]),
    "flow": (["network"], ["connection", "end"]),
    "netflow": (["network"], ["connection"]),
    "fileinfo": (["file", "network"], ["info"]),
    "anomaly": (["network"], ["info"]),
}


def load_json_object(record: RawRecord, what: str) -> tuple[str, dict[str, Any]]:
    """Decode a record holding one JSON object, with a clear reason when it does not."""
    text = decode_text(record)
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise ParseError(f"not valid JSON ({what}): {e}") from e
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object ({what}), got {type(doc).__name__}")
    return text, doc


class SuricataEveParser(Parser):
    """One eve.json line → one ECS event; ``flow_id`` is kept to join alerts with their flows."""

    NAME = "suricata-eve"
    DATASET = "suricata.eve"

    def matches(self, record: RawRecord) -> bool:
        return record.data.lstrip()[:1] == b"{"

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text, eve = load_json_object(record, "suricata eve")
        event_type = eve.get("event_type")
        stamp = eve.get("timestamp")
        if not isinstance(event_type, str) or not isinstance(stamp, str):
            raise ParseError("not a suricata eve record: event_type and timestamp are required")
        kind = "alert" if event_type == "alert" else "metric" if event_type == "stats" else "event"
        event = new_event(record, dataset=self.DATASET, module="suricata", original=text, kind=kind)
        event["@timestamp"] = iso_timestamp(stamp, "eve timestamp")
        category, types = _CATEGORY.get(event_type, (["network"], ["info"]))
        event["event"].update(category=list(category), type=list(types), action=event_type)
        _map_common(event, eve, event_type)
        for section, mapper in _SECTIONS.items():
            value = eve.get(section)
            if isinstance(value, Mapping):
                mapper(event, value)
        return [event]


def _put(event: Event, dotted: str, value: Any) -> None:
    if value is not None and value != "":
        set_field(event, dotted, value)


def _compact(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None and v != ""}


def _map_common(event: Event, eve: Mapping[str, Any], event_type: str) -> None:
    # Built as plain dicts rather than field by field: this is the hottest path of ingestion.
    for side, ip_key, port_key in (
        ("source", "src_ip", "src_port"),
        ("destination", "dest_ip", "dest_port"),
    ):
        ip = eve.get(ip_key)
        if isinstance(ip, str) and ip:
            event[side] = _compact({"ip": ip, "port": to_int(eve.get(port_key))})
    src, proto, app = eve.get("src_ip"), eve.get("proto"), eve.get("app_proto")
    network = _compact(
        {
            "type": ("ipv6" if ":" in src else "ipv4") if isinstance(src, str) and src else None,
            "transport": proto.lower() if isinstance(proto, str) else None,
            "protocol": app.lower()
            if isinstance(app, str) and app not in ("failed", "unknown")
            else None,
            "community_id": eve.get("community_id"),
        }
    )
    if network:
        event["network"] = network
    event["suricata"] = {
        "eve": _compact(
            {
                "event_type": event_type,
                "flow_id": to_int(eve.get("flow_id")),
                "tx_id": to_int(eve.get("tx_id")),
                "in_iface": eve.get("in_iface"),
            }
        )
    }
    observer = {"type": "ids", "vendor": "OISF", "product": "Suricata"}
    if isinstance(eve.get("host"), str):
        observer["hostname"] = eve["host"]
    if isinstance(eve.get("in_iface"), str):
        observer["ingress"] = {"interface": {"name": eve["in_iface"]}}  # type: ignore[assignment]
    event["observer"] = observer


def _map_alert(event: Event, alert: Mapping[str, Any]) -> None:
    sid, rev = to_int(alert.get("signature_id")), to_int(alert.get("rev"))
    rule = _compact(
        {
            "id": str(sid) if sid is not None else None,
            "name": alert.get("signature"),
            "category": alert.get("category"),
            "version": str(rev) if rev is not None else None,
        }
    )
    if rule:
        event["rule"] = rule
    severity = to_int(alert.get("severity"))
    if severity is not None:
        event["event"]["severity"] = severity
    if isinstance(alert.get("signature"), str):
        event["message"] = alert["signature"]
    details: dict[str, Any] = _compact({"gid": to_int(alert.get("gid"))})
    action = alert.get("action")
    if action in ("allowed", "blocked"):
        event["event"]["type"] = ["allowed" if action == "allowed" else "denied"]
        details["action"] = action
    metadata = alert.get("metadata")
    if isinstance(metadata, Mapping):
        details["metadata"] = dict(metadata)
    if details:
        event["suricata"]["eve"]["alert"] = details


def _map_http(event: Event, http: Mapping[str, Any]) -> None:
    url = http.get("url")
    if isinstance(url, str):
        _put(event, "url.original", url)
        path, _, query = url.partition("?")
        _put(event, "url.path", path)
        _put(event, "url.query", query)
    host = http.get("hostname")
    _put(event, "url.domain", host)
    _put(event, "destination.domain", host)
    _put(event, "http.request.method", http.get("http_method"))
    _put(event, "http.response.status_code", to_int(http.get("status")))
    _put(event, "http.response.body.bytes", to_int(http.get("length")))
    _put(event, "http.response.mime_type", http.get("http_content_type"))
    _put(event, "http.request.referrer", http.get("http_refer"))
    _put(event, "user_agent.original", http.get("http_user_agent"))
    protocol = http.get("protocol")
    if isinstance(protocol, str) and protocol.upper().startswith("HTTP/"):
        _put(event, "http.version", protocol[5:])


def _dns_answers(dns: Mapping[str, Any]) -> list[dict[str, Any]]:
    answers = dns.get("answers")
    if not isinstance(answers, list):
        answers = [dns] if dns.get("type") == "answer" and "rdata" in dns else []
    result = []
    for answer in answers:
        if isinstance(answer, Mapping):
            entry = {
                "name": answer.get("rrname"),
                "type": answer.get("rrtype"),
                "ttl": to_int(answer.get("ttl")),
                "data": answer.get("rdata"),
            }
            result.append({k: v for k, v in entry.items() if v is not None})
    return result


def _map_dns(event: Event, dns: Mapping[str, Any]) -> None:
    queries = dns.get("query") or dns.get("queries")
    question = queries[0] if isinstance(queries, list) and queries else dns
    if not isinstance(question, Mapping):
        question = dns
    _put(event, "dns.type", dns.get("type") or question.get("type"))
    dns_id = to_int(dns.get("id", question.get("id")))
    _put(event, "dns.id", str(dns_id) if dns_id is not None else None)
    _put(event, "dns.question.name", question.get("rrname"))
    _put(event, "dns.question.type", question.get("rrtype"))
    _put(event, "dns.response_code", dns.get("rcode"))
    answers = _dns_answers(dns)
    if answers:
        event.setdefault("dns", {})["answers"] = answers
        resolved = [a["data"] for a in answers if a.get("type") in ("A", "AAAA") and "data" in a]
        if resolved:
            event["dns"]["resolved_ip"] = resolved


def _map_tls(event: Event, tls: Mapping[str, Any]) -> None:
    version = tls.get("version")
    if isinstance(version, str) and " " in version:
        protocol, _, number = version.partition(" ")
        _put(event, "tls.version_protocol", protocol.lower())
        _put(event, "tls.version", number)
    _put(event, "tls.client.server_name", tls.get("sni"))
    _put(event, "tls.server.subject", tls.get("subject"))
    _put(event, "tls.server.issuer", tls.get("issuerdn"))
    _put(event, "tls.server.x509.serial_number", tls.get("serial"))
    _put(event, "tls.server.not_before", tls.get("notbefore"))
    _put(event, "tls.server.not_after", tls.get("notafter"))
    fingerprint = tls.get("fingerprint")
    if isinstance(fingerprint, str):
        _put(event, "tls.server.hash.sha1", fingerprint.replace(":", "").upper())
    for key, dotted in (("ja3", "tls.client.ja3"), ("ja3s", "tls.server.ja3s")):
        value = tls.get(key)
        if isinstance(value, Mapping):
            _put(event, dotted, value.get("hash"))


def _map_flow(event: Event, flow: Mapping[str, Any]) -> None:
    for key, dotted in (("start", "event.start"), ("end", "event.end")):
        value = flow.get(key)
        if isinstance(value, str):
            try:
                _put(event, dotted, iso_timestamp(value, "flow"))
            except ParseError:
                _put(event, f"suricata.eve.flow.{key}", value)
    to_server_p, to_client_p = to_int(flow.get("pkts_toserver")), to_int(flow.get("pkts_toclient"))
    to_server_b = to_int(flow.get("bytes_toserver"))
    to_client_b = to_int(flow.get("bytes_toclient"))
    _put(event, "source.packets", to_server_p)
    _put(event, "source.bytes", to_server_b)
    _put(event, "destination.packets", to_client_p)
    _put(event, "destination.bytes", to_client_b)
    if to_server_p is not None and to_client_p is not None:
        _put(event, "network.packets", to_server_p + to_client_p)
    if to_server_b is not None and to_client_b is not None:
        _put(event, "network.bytes", to_server_b + to_client_b)
    for key in ("state", "reason", "alerted"):
        _put(event, f"suricata.eve.flow.{key}", flow.get(key))


def _map_fileinfo(event: Event, info: Mapping[str, Any]) -> None:
    name = info.get("filename")
    if isinstance(name, str):
        _put(event, "file.path", name)
        _put(event, "file.name", name.rsplit("/", 1)[-1])
    _put(event, "file.size", to_int(info.get("size")))
    for algo in ("md5", "sha1", "sha256"):
        _put(event, f"file.hash.{algo}", info.get(algo))
    _put(event, "file.type", "file")
    _put(event, "suricata.eve.fileinfo.magic", info.get("magic"))
    _put(event, "suricata.eve.fileinfo.state", info.get("state"))
    _put(event, "suricata.eve.fileinfo.stored", info.get("stored"))


def _map_anomaly(event: Event, anomaly: Mapping[str, Any]) -> None:
    for key in ("type", "event", "layer", "code"):
        _put(event, f"suricata.eve.anomaly.{key}", anomaly.get(key))
    what = anomaly.get("event")
    if isinstance(what, str):
        _put(event, "message", f"anomaly: {what}")


_SECTIONS: dict[str, Callable[[Event, Mapping[str, Any]], None]] = {
    "alert": _map_alert,
    "http": _map_http,
    "dns": _map_dns,
    "tls": _map_tls,
    "flow": _map_flow,
    "fileinfo": _map_fileinfo,
    "anomaly": _map_anomaly,
}
