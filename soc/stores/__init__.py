"""Event stores: one interface (base.py), an embedded SQLite and an Elasticsearch implementation."""
