"""Where collectors keep their progress (file offsets): the state DB or a JSON file in the home.

Values are small JSON objects; they are written only from ``Pipeline.after_commit`` hooks, so a
saved offset never runs ahead of what the store holds.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from soc.ecs import utc_now
from soc.errors import StoreError
from soc.state.db import StateDB
from soc.state.models import Checkpoint


class CheckpointStore(Protocol):
    def load(self, name: str) -> dict[str, Any] | None: ...

    def save(self, name: str, value: dict[str, Any]) -> None: ...


class StateCheckpoints:
    """Checkpoints in the state database's ``checkpoints`` table."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def load(self, name: str) -> dict[str, Any] | None:
        try:
            with self.state.session() as session:
                row = session.get(Checkpoint, name)
                return json.loads(row.value) if row is not None else None
        except (SQLAlchemyError, ValueError) as e:
            raise StoreError(f"cannot read checkpoint {name}: {e}") from e

    def save(self, name: str, value: dict[str, Any]) -> None:
        try:
            with self.state.session() as session:
                row = session.get(Checkpoint, name)
                if row is None:
                    session.add(Checkpoint(name=name, value=json.dumps(value)))
                else:
                    row.value = json.dumps(value)
                    row.updated_at = utc_now()
        except SQLAlchemyError as e:
            raise StoreError(f"cannot save checkpoint {name}: {e}") from e


class JsonCheckpoints:
    """Checkpoints in one JSON file, replaced atomically (write, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._values: dict[str, dict[str, Any]] = {}
        if path.is_file():
            try:
                self._values = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise StoreError(f"unreadable checkpoint file: {e}", source=path) from e

    def load(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            value = self._values.get(name)
            return dict(value) if value is not None else None

    def save(self, name: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._values[name] = dict(value)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            with temporary.open("w", encoding="utf-8") as out:
                json.dump(self._values, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
