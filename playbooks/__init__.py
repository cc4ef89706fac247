"""Incident lifecycle, response playbooks and national reporting (to come)."""
