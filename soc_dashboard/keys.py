"""Console secrets under ``<home>/secrets``: created once, owner-only (0600), never logged."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from soc.errors import ConfigError

SECRETS_DIR = "secrets"
CONSOLE_KEY_FILE = "console.key"
ADMIN_PASSWORD_FILE = "admin-password"


def secrets_dir(home: Path) -> Path:
    path = home / SECRETS_DIR
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot create the secrets folder: {e}", source=path) from e
    return path


def write_secret(path: Path, text: str) -> bool:
    """Create ``path`` with mode 0600 holding ``text``; False (file untouched) if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as e:
        raise ConfigError(f"cannot write a secret file: {e}", source=path) from e
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def read_secret(path: Path) -> str:
    """The file's text, after tightening its mode to 0600 if someone loosened it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ConfigError(f"cannot read a secret file: {e}", source=path) from e


def console_key(home: Path) -> str:
    """The key that signs console sessions: generated on first use, the same on every start."""
    path = secrets_dir(home) / CONSOLE_KEY_FILE
    write_secret(path, secrets.token_hex(32) + "\n")
    key = read_secret(path)
    if len(key) < 32:
        raise ConfigError(
            "the console key is too short",
            source=path,
            hint="delete the file; a new key is generated at the next start (users sign in again)",
        )
    return key
