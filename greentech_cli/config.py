"""Where the database and config live: flag, env var, config file, then platformdirs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from greentech_cli.errors import InvalidData

APP_NAME = "greentech"
DB_ENV = "GREENTECH_DB"
CONFIG_ENV = "GREENTECH_CONFIG"


@dataclass(frozen=True)
class DbLocation:
    """The database path in use and the reason it was chosen."""

    path: Path
    reason: str


def config_path() -> Path:
    """The user config file (`GREENTECH_CONFIG` overrides the platform's config folder)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.yaml"


def data_dir() -> Path:
    """The platform's per-user data folder for greentech (never the current folder)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def read_config(path: Path | None = None) -> dict[str, object]:
    """The user config as a mapping; an absent file is an empty config."""
    path = path or config_path()
    if not path.is_file():
        return {}
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        # PyYAML's messages span several lines; the first one says what is wrong.
        reason = (str(exc).strip().splitlines() or ["unreadable"])[0]
        raise InvalidData(f"cannot read the config file {path}: {reason}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InvalidData(f"the config file {path} must be a mapping of keys to values")
    return {str(k): v for k, v in loaded.items()}


def resolve_db(flag: str | Path | None) -> DbLocation:
    """Pick the database: `--db`, `GREENTECH_DB`, the config file's `db:`, then the data folder."""
    if flag:
        return DbLocation(Path(flag).expanduser(), "--db option")
    env = os.environ.get(DB_ENV)
    if env:
        return DbLocation(Path(env).expanduser(), f"{DB_ENV} environment variable")
    cfg_file = config_path()
    configured = read_config(cfg_file).get("db")
    if configured:
        return DbLocation(Path(str(configured)).expanduser(), f"'db:' in {cfg_file}")
    return DbLocation(data_dir() / "greentech.db", "default location in the user data folder")
