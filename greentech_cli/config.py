"""Where the database and config live: flag, env var, config file, then platformdirs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from greentech_cli.errors import InvalidData

APP_NAME = "greentech"
DB_ENV = "GREENTECH_DB"
CONFIG_ENV = "GREENTECH_CONFIG"
# Seconds a write waits for another process's write lock (also `lock_timeout:` in the config).
LOCK_TIMEOUT_ENV = "GREENTECH_LOCK_TIMEOUT"


# A database named by one of these is a PostgreSQL database (issue 21); anything else is a file.
URL_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(text: str) -> bool:
    """Whether `--db`, GREENTECH_DB or the config's `db:` names a PostgreSQL database."""
    return text.strip().lower().startswith(URL_SCHEMES)


def shown_url(url: str) -> str:
    """A URL as said to the user: its password left out."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rpartition("@")
        user = (parts.username or "") + ":***"
        return urlunsplit(parts._replace(netloc=f"{user}@{netloc[2]}"))
    except ValueError:
        return url.partition("://")[0] + "://…"


@dataclass(frozen=True)
class DbLocation:
    """The database in use (a file's path, or a PostgreSQL URL) and the reason it was chosen."""

    path: Path
    reason: str
    url: str = ""

    @property
    def target(self) -> Path | str:
        """What `db.open_db` opens: the URL, else the path."""
        return self.url or self.path

    @property
    def exists(self) -> bool:
        """Whether there is a database to open: a server's (a URL), or a file that exists."""
        return bool(self.url) or self.path.exists()

    @property
    def shown(self) -> str:
        """The database as named to the user (a URL without its password)."""
        return shown_url(self.url) if self.url else str(self.path)


def _location(text: str | Path, reason: str) -> DbLocation:
    if isinstance(text, str) and is_database_url(text):
        return DbLocation(Path(shown_url(text.strip())), reason, text.strip())
    return DbLocation(Path(text).expanduser(), reason)


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
    """Pick the database: `--db`, `GREENTECH_DB`, the config file's `db:`, then the data folder.

    Each may be a file's path or a `postgresql://user@host/dbname` URL."""
    if flag:
        return _location(flag, "--db option")
    env = os.environ.get(DB_ENV)
    if env:
        return _location(env, f"{DB_ENV} environment variable")
    cfg_file = config_path()
    configured = read_config(cfg_file).get("db")
    if configured:
        return _location(str(configured), f"'db:' in {cfg_file}")
    return DbLocation(data_dir() / "greentech.db", "default location in the user data folder")


def lock_timeout_ms(default_ms: int) -> int:
    """How long a write waits for another process's write lock, in milliseconds:
    GREENTECH_LOCK_TIMEOUT (seconds), else `lock_timeout:` in the config file, else default_ms."""
    text = os.environ.get(LOCK_TIMEOUT_ENV)
    where = LOCK_TIMEOUT_ENV
    if text is None:
        try:
            text = read_config().get("lock_timeout")  # type: ignore[assignment]
        except Exception:
            # Any broken config file (even one nested too deeply to read) is reported where it
            # is needed, for the database; with --db it is not needed at all.
            text = None
        where = "lock_timeout in the config file"
    if text is None or text == "":
        return default_ms
    try:
        seconds = float(text)
    except (TypeError, ValueError):
        raise InvalidData(f"{where} must be a number of seconds, not {text!r}") from None
    if not 0 <= seconds <= 86_400:
        raise InvalidData(f"{where} must lie between 0 and 86400 seconds, not {text!r}")
    return int(seconds * 1000)
