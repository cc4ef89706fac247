"""SOC state database: SQLAlchemy 2 models and Alembic migrations (SQLite or PostgreSQL)."""
