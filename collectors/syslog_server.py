"""Syslog listeners (asyncio): UDP, TCP with RFC 6587 framing, and TLS (RFC 5425).

Each message becomes a raw record named after its sender (``syslog://10.1.2.3``) and goes to a
bounded queue; a TCP sender waits when the queue is full (backpressure), a UDP datagram that
finds it full is kept as a dead letter ("queue full") rather than dropped silently.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from collectors.base import DeadLetter, RawRecord
from soc.ecs import utc_now
from soc.errors import ConfigError

MAX_OCTET_DIGITS = 8
REPEATS_PER_LISTENER = 65_536  # distinct recent messages remembered by a UDP listener (~6 MB)
REPEATS_PER_CONNECTION = 4_096  # … and by each TCP/TLS connection
MAX_DATAGRAM = 65_535
DATAGRAMS_PER_WAKEUP = 512  # then the loop serves the other sockets and the pump


@dataclass(frozen=True)
class ListenerContext:
    """What every record of one listener carries."""

    source_type: str = "syslog"
    zone: str | None = None
    agency: str | None = None
    max_record_bytes: int = 1_048_576
    keep_bytes: int = 65_536
    receive_buffer_bytes: int = 0  # UDP socket buffer asked of the kernel (0: its default)


Deliver = Callable[[RawRecord | DeadLetter], None]


def parse_address(address: str | None, default_port: int) -> tuple[str, int]:
    """``host:port``, ``:port`` or ``[v6]:port`` → (host, port)."""
    text = (address or "").strip() or f"0.0.0.0:{default_port}"
    host, _, port = text.rpartition(":")
    if not host and not port:
        raise ConfigError(f"invalid listen address {address!r}", hint="use HOST:PORT")
    host = host.strip("[]") or "0.0.0.0"
    try:
        number = int(port) if port else default_port
    except ValueError as e:
        raise ConfigError(f"invalid port in {address!r}", hint="use HOST:PORT") from e
    if not 0 <= number <= 65535:
        raise ConfigError(f"port out of range in {address!r}")
    return host, number


def tls_context(options: dict[str, object]) -> ssl.SSLContext:
    """Server context from ``cert_file`` and ``key_file`` (and ``ca_file`` for client certs)."""
    cert, key = options.get("cert_file"), options.get("key_file")
    if not cert or not key:
        raise ConfigError("a syslog-tls source needs options.cert_file and options.key_file")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(Path(str(cert)).expanduser()), str(Path(str(key)).expanduser()))
        if options.get("ca_file"):
            context.load_verify_locations(str(Path(str(options["ca_file"])).expanduser()))
            context.verify_mode = ssl.CERT_REQUIRED
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"cannot load the TLS certificate or key: {e}") from e
    return context


class Repeats:
    """How many identical messages a sender has sent before this one (see ``RawRecord.repeat``).

    Ten identical "authentication rejected" lines in one second are ten events (brute-force
    rules count them), while a sender replaying a stream from its start reproduces the same
    counts, hence the same ids. Bounded: the least recently seen messages are forgotten first;
    a message is remembered by its hash (a collision only numbers a different message, whose
    id differs anyway).
    """

    def __init__(self, remembered: int) -> None:
        self.remembered = remembered
        self._seen: dict[tuple[str, int], int] = {}

    def next(self, peer: str, data: bytes) -> int:
        key = (peer, hash(data))
        count = self._seen.pop(key, -1) + 1
        self._seen[key] = count  # re-inserted: the newest at the end
        if len(self._seen) > self.remembered:
            del self._seen[next(iter(self._seen))]
        return count


def _record(
    data: bytes, peer: str, context: ListenerContext, repeats: Repeats | None = None
) -> RawRecord | DeadLetter:
    data = data.rstrip(b"\r\n\x00")
    source = f"syslog://{peer}"
    if len(data) > context.max_record_bytes:
        return DeadLetter(
            source,
            f"record exceeds {context.max_record_bytes} bytes",
            data[: context.keep_bytes],
            None,
            context.source_type,
        )
    repeat = repeats.next(peer, data) if repeats is not None else 0
    return RawRecord(
        data,
        source,
        None,
        peer,
        utc_now(),
        context.source_type,
        context.zone,
        context.agency,
        repeat,
    )


class UdpListener:
    """A bound UDP socket read straight from the event loop, many datagrams per wake-up.

    asyncio's datagram transport reads one datagram per loop iteration; at tens of thousands of
    messages a second that overhead alone fills the kernel buffer and datagrams are dropped.
    """

    def __init__(self, sock: socket.socket, deliver: Deliver, context: ListenerContext) -> None:
        self.socket = sock
        self.deliver = deliver
        self.context = context
        self.repeats = Repeats(REPEATS_PER_LISTENER)
        self._loop = asyncio.get_running_loop()
        sock.setblocking(False)
        self._loop.add_reader(sock.fileno(), self._readable)

    @property
    def receive_buffer_bytes(self) -> int:
        """What the kernel granted (Linux reports twice the usable size)."""
        return int(self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))

    def _readable(self) -> None:
        receive, deliver, context = self.socket.recvfrom, self.deliver, self.context
        repeats = self.repeats
        for _ in range(DATAGRAMS_PER_WAKEUP):
            try:
                data, addr = receive(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. an ICMP error reported on the socket: keep listening
                return
            if data.strip():
                deliver(_record(data, str(addr[0]), context, repeats))

    def close(self) -> None:
        if self.socket.fileno() >= 0:
            self._loop.remove_reader(self.socket.fileno())
            self.socket.close()


async def serve_udp(
    host: str, port: int, deliver: Deliver, context: ListenerContext
) -> UdpListener:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        if context.receive_buffer_bytes:
            _receive_buffer(sock, context.receive_buffer_bytes)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return UdpListener(sock, deliver, context)


def _receive_buffer(sock: socket.socket, size: int) -> None:
    """Ask for a bigger socket buffer: bursts wait there instead of being dropped by the kernel.

    Privileged processes may exceed ``net.core.rmem_max`` (SO_RCVBUFFORCE), as rsyslog does.
    """
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, size)
            return
        except OSError:
            pass  # not privileged: the ordinary request, capped by the kernel
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


async def serve_stream(
    host: str,
    port: int,
    put: Callable[[RawRecord | DeadLetter], object],
    context: ListenerContext,
    tls: ssl.SSLContext | None = None,
) -> asyncio.Server:
    """TCP (or TLS) listener; ``put`` is awaited per message, so a full queue slows the sender."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str((writer.get_extra_info("peername") or ("?",))[0])
        repeats = Repeats(REPEATS_PER_CONNECTION)  # a sender replaying on a new one counts afresh
        try:
            async for frame in frames(reader, context):
                if isinstance(frame, DeadLetter):
                    item: RawRecord | DeadLetter = frame
                else:
                    item = _record(frame, peer, context, repeats)
                result = put(item)
                if asyncio.iscoroutine(result):
                    await result
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    limit = context.max_record_bytes + 64
    return await asyncio.start_server(connection, host, port, ssl=tls, limit=limit)


async def frames(
    reader: asyncio.StreamReader, context: ListenerContext
) -> AsyncIterator[bytes | DeadLetter]:
    """RFC 6587 frames: ``LEN SP MSG`` (octet counting) or ``MSG LF`` (newline), chosen per frame.

    A line that merely starts with digits (no ``LEN SP``) is read as a newline-framed message.
    """

    def too_long() -> DeadLetter:  # one letter per frame, received now (the key holds the time)
        reason = f"record exceeds {context.max_record_bytes} bytes"
        return DeadLetter("syslog", reason, b"", None, context.source_type)

    while True:
        prefix = await reader.read(1)
        if not prefix:
            return
        if prefix in (b"\r", b"\n", b"\x00"):
            continue
        if prefix.isdigit():
            prefix += await _digits(reader)
            if prefix.endswith(b" ") and prefix[:-1].isdigit():
                length = int(prefix[:-1])
                if length > context.max_record_bytes:
                    await _skip(reader, length)
                    yield too_long()
                else:
                    yield await reader.readexactly(length)
                continue
            if prefix.endswith(b"\n") or not prefix[-1:]:
                yield prefix
                continue
        try:
            yield prefix + await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError:
            await _discard_line(reader)
            yield too_long()
        except asyncio.IncompleteReadError as e:
            if (prefix + e.partial).strip():
                yield prefix + e.partial
            return


async def _digits(reader: asyncio.StreamReader) -> bytes:
    """Read up to the first non-digit (included), at most MAX_OCTET_DIGITS + 1 bytes."""
    taken = b""
    while len(taken) <= MAX_OCTET_DIGITS:
        byte = await reader.read(1)
        taken += byte
        if not byte or not byte.isdigit():
            break
    return taken


async def _skip(reader: asyncio.StreamReader, length: int) -> None:
    while length > 0:
        chunk = await reader.read(min(length, 1 << 16))
        if not chunk:
            return
        length -= len(chunk)


async def _discard_line(reader: asyncio.StreamReader) -> None:
    while True:
        try:
            await reader.readuntil(b"\n")
            return
        except asyncio.LimitOverrunError as e:
            await reader.readexactly(e.consumed)
        except asyncio.IncompleteReadError:
            return
