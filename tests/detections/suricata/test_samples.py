"""Sample pcaps: complete TCP sessions, one client address per sample, reproducible bytes."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dns import DNS
from scapy.layers.inet import IP, TCP
from scapy.utils import rdpcap

from detections.suricata.samples import (
    HttpExchange,
    RuleSamples,
    Session,
    http_payloads,
    tcp_session,
    write_sample_pcap,
)


def test_tcp_session_is_handshake_data_and_fin() -> None:
    packets = tcp_session("198.51.100.1", 40000, "10.20.1.10", 80, b"x" * 3000, b"ok", 0.0)
    flags = [str(p[TCP].flags) for p in packets]
    assert flags[:3] == ["S", "SA", "A"]
    assert flags[-3:] == ["FA", "FA", "A"]
    data = b"".join(bytes(p[TCP].payload) for p in packets if p[IP].src == "198.51.100.1")
    assert data == b"x" * 3000  # split into segments, nothing lost
    first_data = next(p for p in packets if bytes(p[TCP].payload))
    assert first_data[TCP].seq == packets[0][TCP].seq + 1
    assert [float(p.time) for p in packets] == sorted(float(p.time) for p in packets)


def test_http_payloads_carry_method_headers_and_length() -> None:
    request, reply = http_payloads(
        HttpExchange(method="POST", uri="/dang-nhap", body="u=a", headers={"X-T": "1"}, status=401)
    )
    assert request.startswith(b"POST /dang-nhap HTTP/1.1\r\nHost: dichvucong.danang.gov.vn\r\n")
    assert b"X-T: 1\r\n" in request and b"Content-Length: 3\r\n" in request
    assert request.endswith(b"\r\n\r\nu=a")
    assert reply.startswith(b"HTTP/1.1 401 Unauthorized\r\n")


def test_each_sample_gets_its_own_client_and_pcaps_are_reproducible(tmp_path: Path) -> None:
    specs = [
        RuleSamples(
            sid=9100001,
            positive=[Session.model_validate({"http": {"uri": "/a"}, "repeat": 2})],
            negative=[Session.model_validate({"dns": {"name": "x.vn"}})],
        ),
        RuleSamples(
            sid=9100002,
            positive=[Session.model_validate({"dns": {"name": "y.vn"}})],
            negative=[Session.model_validate({"tcp": {"client": "hi"}, "port": 9})],
        ),
    ]
    placed = write_sample_pcap(specs, "positive", tmp_path / "a.pcap")
    write_sample_pcap(specs, "positive", tmp_path / "b.pcap")
    assert (tmp_path / "a.pcap").read_bytes() == (tmp_path / "b.pcap").read_bytes()
    assert len({p.client for p in placed}) == 2
    assert [p.expect for p in placed] == [frozenset({9100001}), frozenset({9100002})]
    packets = rdpcap(str(tmp_path / "a.pcap"))
    dns = [p for p in packets if p.haslayer(DNS)]
    assert [p[IP].src for p in dns][:1] == [placed[1].client]  # DNS clients are HOME_NET hosts
    assert placed[1].client.startswith("10.30.")
    syns = [p for p in packets if p.haslayer(TCP) and str(p[TCP].flags) == "S"]
    assert len(syns) == 2 and {p[IP].src for p in syns} == {placed[0].client}
