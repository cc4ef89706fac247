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
        event = new_event(
            record,
            dataset=self.DATASET,
            module="suricata",
            original=text,
            kind=kind,
            timestamp=iso_timestamp(stamp, "eve timestamp"),
        )
        category, types = _CATEGORY.get(event_type, _OTHER)
        fields = event["event"]
        fields["category"] = list(category)
        fields["type"] = list(types)
        fields["action"] = event_type
        _map_common(event, eve, event_type)
        for section, mapper in _SECTIONS:
            value = eve.get(section)
            if isinstance(value, dict):
                mapper(event, value)
        return [event]


_OTHER = (["network"], ["info"])


def _put(event: Event, dotted: str, value: Any) -> None:
    if value is not None and value != "":
        set_field(event, dotted, value)


def _into(event: Event, top: str, values: dict[str, Any]) -> None:
    """Merge the non-empty ``values`` into ``event[top]`` (what ``_put`` does field by field)."""
    kept = {k: v for k, v in values.items() if v is not None and v != ""}
    if not kept:
        return
    node = event.get(top)
    if isinstance(node, dict):
        node.update(kept)
    else:
        event[top] = kept


def _compact(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None and v != ""}


def _endpoint(ip: Any, port: Any) -> dict[str, Any] | None:
    if not isinstance(ip, str) or not ip:
        return None
    port = port if type(port) is int else to_int(port)
    return {"ip": ip} if port is None else {"ip": ip, "port": port}


def _map_common(event: Event, eve: dict[str, Any], event_type: str) -> None:
    # Built as plain dicts rather than field by field: this is the hottest path of ingestion.
    src = eve.get("src_ip")
    if (side := _endpoint(src, eve.get("src_port"))) is not None:
        event["source"] = side
    if (side := _endpoint(eve.get("dest_ip"), eve.get("dest_port"))) is not None:
        event["destination"] = side
    network = _network(eve, src)
    if network:
        event["network"] = network
    details: dict[str, Any] = {"event_type": event_type} if event_type else {}
    for key in ("flow_id", "tx_id"):
        if key in eve and (number := to_int(eve[key])) is not None:
            details[key] = number
    iface = eve.get("in_iface")
    if iface is not None and iface != "":
        details["in_iface"] = iface
    event["suricata"] = {"eve": details}
    observer: dict[str, Any] = {"type": "ids", "vendor": "OISF", "product": "Suricata"}
    if isinstance(eve.get("host"), str):
        observer["hostname"] = eve["host"]
    if isinstance(iface, str):
        observer["ingress"] = {"interface": {"name": iface}}
    event["observer"] = observer


def _network(eve: dict[str, Any], src: Any) -> dict[str, Any]:
    network: dict[str, Any] = {}
    if isinstance(src, str) and src:
        network["type"] = "ipv6" if ":" in src else "ipv4"
    proto, app = eve.get("proto"), eve.get("app_proto")
    if isinstance(proto, str) and proto:
        network["transport"] = proto.lower()
    if isinstance(app, str) and app and app not in ("failed", "unknown"):
        network["protocol"] = app.lower()
    community = eve.get("community_id")
    if community is not None and community != "":
        network["community_id"] = community
    return network


def _map_alert(event: Event, alert: dict[str, Any]) -> None:
    sid, rev = to_int(alert.get("signature_id")), to_int(alert.get("rev"))
    signature = alert.get("signature")
    rule = _compact(
        {
            "id": str(sid) if sid is not None else None,
            "name": signature,
            "category": alert.get("category"),
            "version": str(rev) if rev is not None else None,
        }
    )
    if rule:
        event["rule"] = rule
    severity = to_int(alert.get("severity"))
    if severity is not None:
        event["event"]["severity"] = severity
    if isinstance(signature, str):
        event["message"] = signature
    gid = to_int(alert.get("gid"))
    details: dict[str, Any] = {} if gid is None else {"gid": gid}
    action = alert.get("action")
    if action == "allowed" or action == "blocked":
        event["event"]["type"] = ["allowed" if action == "allowed" else "denied"]
        details["action"] = action
    metadata = alert.get("metadata")
    if isinstance(metadata, dict):
        details["metadata"] = dict(metadata)
    if details:
        event["suricata"]["eve"]["alert"] = details


def _map_http(event: Event, http: dict[str, Any]) -> None:
    url = http.get("url")
    host = http.get("hostname")
    link: dict[str, Any] = {}
    if isinstance(url, str):
        path, _, query = url.partition("?")
        link = {"original": url, "path": path, "query": query}
    link["domain"] = host
    _into(event, "url", link)
    _put(event, "destination.domain", host)
    method, referrer = http.get("http_method"), http.get("http_refer")
    status, length = to_int(http.get("status")), to_int(http.get("length"))
    mime = http.get("http_content_type")
    request = _compact({"method": method, "referrer": referrer})
    response: dict[str, Any] = _compact({"status_code": status, "mime_type": mime})
    if length is not None:
        response["body"] = {"bytes": length}
    protocol = http.get("protocol")
    version = (
        protocol[5:] if isinstance(protocol, str) and protocol.upper().startswith("HTTP/") else None
    )
    if request or response or (version is not None and version != ""):
        node = event.setdefault("http", {})
        if request:
            node["request"] = request
        if response:
            node["response"] = response
        if version is not None and version != "":
            node["version"] = version
    _put(event, "user_agent.original", http.get("http_user_agent"))


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


def _map_flow(event: Event, flow: dict[str, Any]) -> None:
    get = flow.get
    for key in ("start", "end"):
        value = get(key)
        if isinstance(value, str):
            try:
                event["event"][key] = iso_timestamp(value, "flow")
            except ParseError:
                _put(event, f"suricata.eve.flow.{key}", value)
    to_server_p, to_client_p = _int(get("pkts_toserver")), _int(get("pkts_toclient"))
    to_server_b, to_client_b = _int(get("bytes_toserver")), _int(get("bytes_toclient"))
    _counts(event, "source", to_server_p, to_server_b)
    _counts(event, "destination", to_client_p, to_client_b)
    _counts(
        event,
        "network",
        None if to_server_p is None or to_client_p is None else to_server_p + to_client_p,
        None if to_server_b is None or to_client_b is None else to_server_b + to_client_b,
    )
    state = {}
    for key in ("state", "reason", "alerted"):
        value = get(key)
        if value is not None and value != "":
            state[key] = value
    if state:
        _into(event["suricata"]["eve"], "flow", state)


def _int(value: Any) -> int | None:
    return value if type(value) is int else to_int(value)


def _counts(event: Event, side: str, packets: int | None, size: int | None) -> None:
    """``<side>.packets`` and ``<side>.bytes`` when known."""
    if packets is None and size is None:
        return
    node = event.get(side)
    if not isinstance(node, dict):
        node = event[side] = {}
    if packets is not None:
        node["packets"] = packets
    if size is not None:
        node["bytes"] = size


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


_SECTIONS: tuple[tuple[str, Callable[[Event, dict[str, Any]], None]], ...] = (
    ("alert", _map_alert),
    ("http", _map_http),
    ("dns", _map_dns),
    ("tls", _map_tls),
    ("flow", _map_flow),
    ("fileinfo", _map_fileinfo),
    ("anomaly", _map_anomaly),
)
