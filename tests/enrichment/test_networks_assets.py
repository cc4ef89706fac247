"""Longest-prefix matching and the inventory lookup (host, wildcard, URL, address, agency)."""

from __future__ import annotations

from pathlib import Path

from enrichment.assets import AgencyInfo, Asset, AssetEnricher, asset_from, enricher_from_state
from enrichment.networks import NetworkMap
from soc.state.db import open_state
from soc.state.models import Agency, System

PORTAL = Asset(
    id="dvc",
    name="Cổng dịch vụ công",
    agency_id="so-tttt",
    zone="egov",
    security_level=3,
    ip_ranges=("10.10.0.0/16",),
    hostnames=("dichvucong.danang.gov.vn",),
)
MAIL = Asset(id="mail", name="Thư điện tử", agency_id="so-tttt", zone="datacenter",
             security_level=2, ip_ranges=("10.10.5.0/24",), urls=("https://mail.danang.gov.vn/",),
             hostnames=("*.mail.danang.gov.vn",))  # fmt: skip
AGENCIES = [
    AgencyInfo("so-tttt", "Sở Thông tin và Truyền thông"),
    AgencyInfo("ubnd-hai-chau", "UBND quận Hải Châu", ("10.50.0.0/16",)),
]


def enricher() -> AssetEnricher:
    return AssetEnricher([PORTAL, MAIL], AGENCIES)


def test_longest_prefix_wins_and_ipv6_and_mapped_addresses() -> None:
    table = NetworkMap(
        [("10.0.0.0/8", "wide"), ("10.1.0.0/16", "narrow"), ("2001:df2:9b00::/48", "man")]
    )
    assert table.lookup("10.1.2.3") == "narrow"
    assert table.lookup("10.2.2.3") == "wide"
    assert table.lookup("::ffff:10.1.2.3") == "narrow"
    assert table.lookup("2001:df2:9b00:12::1") == "man"
    assert table.lookup("192.0.2.1") is None
    assert table.lookup("not an ip") is None


def test_event_on_the_portal_is_fully_stamped() -> None:
    event = {"url": {"domain": "DichVuCong.danang.gov.vn"}, "source": {"ip": "203.0.113.9"}}
    enricher()(event)
    assert event["soc"] == {
        "system_id": "dvc",
        "system_name": "Cổng dịch vụ công",
        "security_level": 3,
        "zone": "egov",
        "agency_id": "so-tttt",
    }
    assert event["organization"] == {"id": "so-tttt", "name": "Sở Thông tin và Truyền thông"}


def test_wildcards_urls_and_most_specific_address() -> None:
    wildcard = {"host": {"name": "mx1.mail.danang.gov.vn"}}
    by_url = {"url": {"domain": "mail.danang.gov.vn"}}
    by_ip = {"destination": {"ip": "10.10.5.7"}}
    wider = {"source": {"ip": "10.10.9.9"}}
    for event in (wildcard, by_url, by_ip, wider):
        enricher()(event)
    assert [e["soc"]["system_id"] for e in (wildcard, by_url, by_ip, wider)] == [
        "mail", "mail", "mail", "dvc",
    ]  # fmt: skip


def test_agency_range_without_a_system_and_no_match() -> None:
    ward = {"source": {"ip": "10.50.1.1"}}
    enricher()(ward)
    assert ward["soc"] == {"agency_id": "ubnd-hai-chau"}
    assert ward["organization"]["name"] == "UBND quận Hải Châu"
    stranger = {"source": {"ip": "198.51.100.1"}, "host": {"name": "unknown.example"}}
    enricher()(stranger)
    assert "soc" not in stranger and "organization" not in stranger


def test_sender_agency_from_the_collector_names_the_organization() -> None:
    event = {"soc": {"agency_id": "ubnd-hai-chau"}, "message": "x"}
    enricher()(event)
    assert event["organization"] == {"id": "ubnd-hai-chau", "name": "UBND quận Hải Châu"}


def test_built_from_the_state_database(tmp_path: Path) -> None:
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    with state.session() as session:
        session.add(Agency(id="so-tttt", name="Sở TT&TT", ip_ranges=[]))
        session.flush()
        session.add(System(id="lgsp", name="LGSP", agency_id="so-tttt", zone="datacenter",
                           security_level=4, ip_ranges=["10.20.0.0/24"], hostnames=[],
                           urls=["https://lgsp.danang.gov.vn/api"], attributes={}))  # fmt: skip
    built = enricher_from_state(state)
    event = {"url": {"domain": "lgsp.danang.gov.vn"}}
    built(event)
    assert event["soc"]["system_id"] == "lgsp" and event["soc"]["security_level"] == 4
    assert event["organization"]["name"] == "Sở TT&TT"
    assert asset_from({"id": "x", "name": "X"}).ip_ranges == ()
    state.close()


def test_remembered_answers_follow_networks_added_later() -> None:
    table: NetworkMap[str] = NetworkMap()
    assert not table and table.lookup("10.1.2.3") is None
    table.add("10.0.0.0/8", "wide")
    assert table and table.lookup("10.1.2.3") == "wide"
    table.add("10.1.0.0/16", "narrow")
    assert table.lookup("10.1.2.3") == "narrow"
    assert table.lookup("10.1.2.3") == "narrow"


def test_host_lookups_are_remembered_with_their_misses() -> None:
    enrich = enricher()
    for _ in range(2):
        assert enrich.system_for_host("DichVuCong.danang.gov.vn.") is PORTAL
        assert enrich.system_for_host("mx1.mail.danang.gov.vn") is MAIL
        assert enrich.system_for_host("elsewhere.example") is None


def test_events_without_any_known_field_are_left_alone() -> None:
    event = {"message": "x", "event": {"kind": "event"}, "host": "not a dict"}
    enricher()(event)
    assert event == {"message": "x", "event": {"kind": "event"}, "host": "not a dict"}
