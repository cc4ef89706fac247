"""Suricata: offline rule-set management (suricata-update), pcap replay, the SOC's own rules."""
