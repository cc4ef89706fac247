"""Remembered address parsing answers exactly as ``ipaddress`` does, for good and bad input."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from collectors.addresses import client_ip, ip_text

TEXTS = (
    st.ip_addresses().map(str)
    | st.ip_addresses(v=6).map(lambda a: a.exploded.upper())
    | st.text(alphabet="0123456789abcdef.:[]f", max_size=24)
)


def reference(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@given(TEXTS)
def test_ip_text_is_ipaddress(value: str) -> None:
    assert ip_text(value) == reference(value)
    assert ip_text(value) == reference(value)


def test_client_ip_unwraps_brackets_and_mapped_ipv4() -> None:
    assert client_ip("[2001:db8::1]") == "2001:db8::1"
    assert client_ip("::ffff:10.1.2.3") == "10.1.2.3"
    assert client_ip("10.1.2.3") == "10.1.2.3"
    assert client_ip("web01") is None
    assert client_ip("web01") is None
