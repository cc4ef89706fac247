"""Syslog listeners on loopback: UDP, TCP with both RFC 6587 framings, TLS, oversize frames."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from collectors.base import DeadLetter, RawRecord
from collectors.live import RecordPump
from collectors.registry import SourceType
from collectors.syslog_server import (
    ListenerContext,
    parse_address,
    serve_stream,
    serve_udp,
    tls_context,
)
from soc.errors import ConfigError
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery, dead_letter_key
from soc.stores.sqlite import SqliteEventStore

MESSAGE = "<34>Oct 11 22:14:15 mymachine su[1]: 'su root' failed for lonvick on /dev/pts/8"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def collect_stream(payload: bytes, context: ListenerContext, tls: bool = False,
                         tmp: Path | None = None) -> list[RawRecord | DeadLetter]:  # fmt: skip
    received: list[RawRecord | DeadLetter] = []
    port = free_port()
    server_tls = client_tls = None
    if tls and tmp is not None:
        cert, key = self_signed(tmp)
        server_tls = tls_context({"cert_file": str(cert), "key_file": str(key)})
        client_tls = ssl.create_default_context(cafile=str(cert))
    server = await serve_stream("127.0.0.1", port, received.append, context, server_tls)
    _, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=client_tls, server_hostname="localhost" if tls else None
    )
    writer.write(payload)
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    for _ in range(100):
        await asyncio.sleep(0.02)
        if received and len(received) >= payload.count(b"<"):
            break
    server.close()
    await server.wait_closed()
    return received


def test_tcp_octet_counting_and_newline_framing_mixed() -> None:
    msg = MESSAGE.encode()
    payload = f"{len(msg)} ".encode() + msg + msg + b"\n" + b"2026-03-01 not a count <1>\n"
    items = asyncio.run(collect_stream(payload, ListenerContext()))
    assert [i.data for i in items if isinstance(i, RawRecord)] == [
        msg,
        msg,
        b"2026-03-01 not a count <1>",
    ]
    assert all(i.source == "syslog://127.0.0.1" for i in items)


def test_oversized_frames_become_dead_letters_and_the_stream_continues() -> None:
    context = ListenerContext(max_record_bytes=1024)
    msg = MESSAGE.encode()
    payload = b"5000 " + b"x" * 5000 + b"y" * 3000 + b"\n" + msg + b"\n"
    items = asyncio.run(collect_stream(payload, context))
    letters = [i for i in items if isinstance(i, DeadLetter)]
    assert len(letters) == 2 and letters[0].reason == "record exceeds 1024 bytes"
    assert [i.data for i in items if isinstance(i, RawRecord)] == [msg]
    # Each oversized frame is its own letter: the store keeps both (keyed with their time).
    assert letters[0] is not letters[1]
    assert dead_letter_key(letters[0]) != dead_letter_key(letters[1])


def test_tls_listener(tmp_path: Path) -> None:
    msg = MESSAGE.encode()
    items = asyncio.run(collect_stream(msg + b"\n", ListenerContext(), tls=True, tmp=tmp_path))
    assert [i.data for i in items if isinstance(i, RawRecord)] == [msg]


def test_udp_into_the_store(tmp_path: Path, source_types: dict[str, SourceType]) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    pipeline = Pipeline(store)

    async def scenario() -> None:
        pump = RecordPump(source_types["syslog"], pipeline)
        port = free_port(socket.SOCK_DGRAM)
        context = ListenerContext(zone="man", agency="so-tttt")
        transport = await serve_udp("127.0.0.1", port, pump.offer, context)
        stop = asyncio.Event()
        task = asyncio.create_task(pump.run(stop))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            for i in range(20):
                client.sendto(f"{MESSAGE} #{i}".encode(), ("127.0.0.1", port))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if pump.queue.empty() and store.count(EventQuery()) == 20:
                break
        stop.set()
        await task
        transport.close()

    asyncio.run(scenario())
    events = store.search(EventQuery(limit=100))
    assert len(events) == 20
    assert all(e["soc"] == {"zone": "man", "agency_id": "so-tttt"} for e in events)
    assert all(e["log"]["source"]["address"] == "127.0.0.1" for e in events)
    store.close()


def test_udp_burst_is_read_in_one_wake_up_with_a_bigger_buffer() -> None:
    received: list[RawRecord | DeadLetter] = []

    async def scenario() -> int:
        port = free_port(socket.SOCK_DGRAM)
        context = ListenerContext(receive_buffer_bytes=1 << 20)
        listener = await serve_udp("127.0.0.1", port, received.append, context)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            for i in range(2000):
                client.sendto(f"{MESSAGE} #{i}".encode(), ("127.0.0.1", port))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if len(received) == 2000:
                break
        granted = listener.receive_buffer_bytes
        listener.close()
        listener.close()  # closing twice is harmless
        return granted

    granted = asyncio.run(scenario())
    assert granted >= 1 << 20
    assert [r.data for r in received if isinstance(r, RawRecord)] == [
        f"{MESSAGE} #{i}".encode() for i in range(2000)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.0.0.0:5514", ("0.0.0.0", 5514)),
        (":514", ("0.0.0.0", 514)),
        ("[::1]:6514", ("::1", 6514)),
    ],
)
def test_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text, 514) == expected


def test_bad_address_and_missing_certificates() -> None:
    with pytest.raises(ConfigError):
        parse_address("host:notaport", 514)
    with pytest.raises(ConfigError, match="cert_file"):
        tls_context({})


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_identical_messages_are_distinct_records_and_a_replay_repeats_their_ids() -> None:
    from collectors.envelope import new_event

    msg = MESSAGE.encode()
    payload = (msg + b"\n") * 3 + b"<34>other\n"

    def ids() -> list[str]:
        items = asyncio.run(collect_stream(payload, ListenerContext()))
        records = [i for i in items if isinstance(i, RawRecord)]
        assert [r.repeat for r in records] == [0, 1, 2, 0]
        return [
            new_event(r, dataset="x", module="x", original=None)["event"]["id"] for r in records
        ]

    first = ids()
    assert len(set(first)) == 4
    assert ids() == first  # the same stream on a new connection: the same ids, no duplicates


def test_repeats_forget_the_least_recent_message_first() -> None:
    from collectors.syslog_server import Repeats

    repeats = Repeats(2)
    assert [repeats.next("p", b"a"), repeats.next("p", b"a"), repeats.next("q", b"a")] == [0, 1, 0]
    assert repeats.next("p", b"b") == 0  # three keys: ("p", a) is forgotten
    assert repeats.next("q", b"a") == 1 and repeats.next("p", b"a") == 0


def test_a_fault_while_committing_is_counted_and_the_pump_goes_on(
    tmp_path: Path, source_types: dict[str, SourceType], capsys: pytest.CaptureFixture[str]
) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    pipeline = Pipeline(store)
    pump = RecordPump(source_types["syslog"], pipeline)
    write = store.write

    def broken(events: Any) -> Any:
        raise AttributeError("'str' object has no attribute 'get'")

    store.write = broken  # type: ignore[method-assign]
    pump.commit([RawRecord(MESSAGE.encode(), "syslog://10.0.0.1", source_type="syslog")])
    assert "events lost: AttributeError" in capsys.readouterr().err
    assert pipeline.stats.counters("syslog").rejected == 1
    store.write = write  # type: ignore[method-assign]
    pump.commit([RawRecord(f"{MESSAGE} 2".encode(), "syslog://10.0.0.1", source_type="syslog")])
    assert store.count(EventQuery()) == 1
    store.close()
