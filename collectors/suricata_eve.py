"""Suricata eve.json records (alert, http, dns, tls, flow, fileinfo, anomaly, …) mapped to ECS."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from collectors.base import Parser, RawRecord
from collectors.envelope import decode_text, iso_timestamp, new_event, to_int
from collectors.timestamps import normalise_iso
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
        data = record.data  # the usual line starts with its brace: no copy to strip
        return data[:1] == b"{" or data.lstrip()[:1] == b"{"

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text, eve = load_json_object(record, "suricata eve")
        get = eve.get
        event_type = get("event_type")
        stamp = get("timestamp")
        # JSON gives exact types: ``type(x) is str`` is ``isinstance`` here, and cheaper.
        if type(event_type) is not str or type(stamp) is not str:
            raise ParseError("not a suricata eve record: event_type and timestamp are required")
        timestamp = iso_timestamp(stamp, "eve timestamp")
        kind = "alert" if event_type == "alert" else "metric" if event_type == "stats" else "event"
        event = new_event(
            record,
            dataset=self.DATASET,
            module="suricata",
            original=text,
            kind=kind,
            timestamp=timestamp,
        )
        category, types = _CATEGORY.get(event_type, _OTHER)
        fields = event["event"]
        fields["category"] = category[:]  # copies: an event's lists are its own
        fields["type"] = types[:]
        fields["action"] = event_type
        details = _map_common(event, eve, event_type)
        for name, mapper in _SECTIONS:
            if type(section := get(name)) is dict:
                mapper(event, section, details)
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


def _map_common(event: Event, eve: dict[str, Any], event_type: str) -> dict[str, Any]:
    """Endpoints, ``network.*``, ``observer.*`` and ``suricata.eve``, which it returns."""
    # Straight-line code rather than generic helpers: this is the hottest path of ingestion.
    get = eve.get
    src = _endpoints(event, get)
    network = _network(get, src)
    if network:
        event["network"] = network
    details: dict[str, Any] = {"event_type": event_type} if event_type else {}
    if "flow_id" in eve:
        number = eve["flow_id"]
        if type(number) is int or (number := to_int(number)) is not None:
            details["flow_id"] = number
    if "tx_id" in eve:
        number = eve["tx_id"]
        if type(number) is int or (number := to_int(number)) is not None:
            details["tx_id"] = number
    iface = get("in_iface")
    if iface is not None and iface != "":
        details["in_iface"] = iface
    event["suricata"] = {"eve": details}
    observer: dict[str, Any] = {"type": "ids", "vendor": "OISF", "product": "Suricata"}
    host = get("host")
    if type(host) is str:
        observer["hostname"] = host
    if type(iface) is str:
        observer["ingress"] = {"interface": {"name": iface}}
    event["observer"] = observer
    return details


def _endpoints(event: Event, get: Callable[[str], Any]) -> Any:
    """``source`` and ``destination`` (address, port); returns ``src_ip`` as it came."""
    src = get("src_ip")
    if type(src) is str and src:
        port = get("src_port")
        if type(port) is not int:
            port = to_int(port)
        event["source"] = {"ip": src} if port is None else {"ip": src, "port": port}
    dest = get("dest_ip")
    if type(dest) is str and dest:
        port = get("dest_port")
        if type(port) is not int:
            port = to_int(port)
        event["destination"] = {"ip": dest} if port is None else {"ip": dest, "port": port}
    return src


def _network(get: Callable[[str], Any], src: Any) -> dict[str, Any]:
    network: dict[str, Any] = {}
    if type(src) is str and src:
        network["type"] = "ipv6" if ":" in src else "ipv4"
    proto = get("proto")
    if type(proto) is str and proto:
        network["transport"] = proto.lower()
    app = get("app_proto")
    if type(app) is str and app and app != "failed" and app != "unknown":
        network["protocol"] = app.lower()
    community = get("community_id")
    if community is not None and community != "":
        network["community_id"] = community
    return network


def _number(value: Any) -> int | None:
    """``to_int`` with the common case (a JSON integer) first."""
    return value if type(value) is int else to_int(value)


def _map_alert(event: Event, alert: dict[str, Any], eve_details: dict[str, Any]) -> None:
    get = alert.get
    sid, rev = _number(get("signature_id")), _number(get("rev"))
    signature = get("signature")
    rule: dict[str, Any] = {}
    if sid is not None:
        rule["id"] = str(sid)
    if signature is not None and signature != "":
        rule["name"] = signature
    category = get("category")
    if category is not None and category != "":
        rule["category"] = category
    if rev is not None:
        rule["version"] = str(rev)
    if rule:
        event["rule"] = rule
    severity = _number(get("severity"))
    if severity is not None:
        event["event"]["severity"] = severity
    if type(signature) is str:
        event["message"] = signature
    details = _alert_details(event, get)
    if details:
        eve_details["alert"] = details


def _alert_details(event: Event, get: Callable[[str], Any]) -> dict[str, Any]:
    """``suricata.eve.alert``: gid, action (which also sets ``event.type``), metadata."""
    gid = _number(get("gid"))
    details: dict[str, Any] = {} if gid is None else {"gid": gid}
    action = get("action")
    if action == "allowed" or action == "blocked":
        event["event"]["type"] = ["allowed" if action == "allowed" else "denied"]
        details["action"] = action
    metadata = get("metadata")
    if type(metadata) is dict:
        details["metadata"] = dict(metadata)
    return details


def _map_http(event: Event, http: dict[str, Any], _eve_details: dict[str, Any]) -> None:
    get = http.get
    _http_url(event, get("url"), get("hostname"))
    request: dict[str, Any] = {}
    method = get("http_method")
    if method is not None and method != "":
        request["method"] = method
    referrer = get("http_refer")
    if referrer is not None and referrer != "":
        request["referrer"] = referrer
    response: dict[str, Any] = {}
    status = _number(get("status"))
    if status is not None:
        response["status_code"] = status
    mime = get("http_content_type")
    if mime is not None and mime != "":
        response["mime_type"] = mime
    length = _number(get("length"))
    if length is not None:
        response["body"] = {"bytes": length}
    protocol = get("protocol")
    # the first five characters suffice: upper() maps each character on its own
    version = (
        protocol[5:]
        if type(protocol) is str
        and (protocol[:5] == "HTTP/" or protocol[:5].upper().startswith("HTTP/"))
        else ""
    )
    if request or response or version:
        node: dict[str, Any] = {}
        if request:
            node["request"] = request
        if response:
            node["response"] = response
        if version:
            node["version"] = version
        event["http"] = node
    agent = get("http_user_agent")
    if agent is not None and agent != "":
        event["user_agent"] = {"original": agent}


def _http_url(event: Event, url: Any, host: Any) -> None:
    """``url.*`` from the request line and host; the host is the destination's domain too."""
    link: dict[str, Any] = {}
    if type(url) is str and url:
        path, _, query = url.partition("?")
        link["original"] = url
        if path:
            link["path"] = path
        if query:
            link["query"] = query
    named = host is not None and host != ""
    if named:
        link["domain"] = host
    if link:
        event["url"] = link  # no url node yet: only this section writes one, and it runs first
    if named:
        destination = event.get("destination")
        if destination is None:
            event["destination"] = {"domain": host}
        else:
            destination["domain"] = host


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


def _map_dns(event: Event, dns: Mapping[str, Any], _eve_details: dict[str, Any]) -> None:
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


def _map_tls(event: Event, tls: Mapping[str, Any], _eve_details: dict[str, Any]) -> None:
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


def _map_flow(event: Event, flow: dict[str, Any], eve_details: dict[str, Any]) -> None:
    get = flow.get
    start, end = get("start"), get("end")
    if type(start) is str:
        _flow_time(event, "start", start)
    if type(end) is str:
        _flow_time(event, "end", end)
    to_server_p, to_client_p = get("pkts_toserver"), get("pkts_toclient")
    to_server_b, to_client_b = get("bytes_toserver"), get("bytes_toclient")
    if type(to_server_p) is not int:
        to_server_p = to_int(to_server_p)
    if type(to_client_p) is not int:
        to_client_p = to_int(to_client_p)
    if type(to_server_b) is not int:
        to_server_b = to_int(to_server_b)
    if type(to_client_b) is not int:
        to_client_b = to_int(to_client_b)
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
        _into(eve_details, "flow", state)


def _flow_time(event: Event, key: str, value: str) -> None:
    try:
        event["event"][key] = normalise_iso(value)
    except (ValueError, OverflowError):  # not a time: kept as it came
        _put(event, f"suricata.eve.flow.{key}", value)


def _counts(event: Event, side: str, packets: int | None, size: int | None) -> None:
    """``<side>.packets`` and ``<side>.bytes`` when known."""
    if packets is None and size is None:
        return
    node = event.get(side)
    if node is None:
        node = event[side] = {}
    if packets is not None:
        node["packets"] = packets
    if size is not None:
        node["bytes"] = size


def _map_fileinfo(event: Event, info: Mapping[str, Any], _eve_details: dict[str, Any]) -> None:
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


def _map_anomaly(event: Event, anomaly: Mapping[str, Any], _eve_details: dict[str, Any]) -> None:
    for key in ("type", "event", "layer", "code"):
        _put(event, f"suricata.eve.anomaly.{key}", anomaly.get(key))
    what = anomaly.get("event")
    if isinstance(what, str):
        _put(event, "message", f"anomaly: {what}")


# Each section's mapper, in the order they are applied; each may add to ``suricata.eve``.
_SECTIONS: tuple[tuple[str, Callable[[Event, dict[str, Any], dict[str, Any]], None]], ...] = (
    ("alert", _map_alert),
    ("http", _map_http),
    ("dns", _map_dns),
    ("tls", _map_tls),
    ("flow", _map_flow),
    ("fileinfo", _map_fileinfo),
    ("anomaly", _map_anomaly),
)
