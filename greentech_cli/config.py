"""Where the database and config live: flag, env var, config file, then platformdirs."""

from __future__ import annotations

import os
import re
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
# What stands for a password wherever a database is named to the user.
MASK = "***"
# The first keywords of libpq's key=value connection strings ("host=db dbname=team password=…"):
# greentech names a PostgreSQL database by its URL only, and takes such a string for no file.
_CONNINFO_KEYS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode",
    "sslpassword", "sslkey", "sslcert", "sslrootcert", "connect_timeout", "options",
    "application_name", "target_session_attrs", "require_auth", "channel_binding", "gssencmode",
    "client_encoding",
})  # fmt: skip
_CONNINFO = re.compile(r"\s*([A-Za-z_]+)\s*=")
# A password in a key=value string: quoted (backslash escapes, maybe left open) or a word.
_CONNINFO_SECRET = re.compile(r"(\b[A-Za-z_]*password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)", re.I)


def is_database_url(text: str) -> bool:
    """Whether `--db`, GREENTECH_DB or the config's `db:` names a PostgreSQL database."""
    return text.strip().lower().startswith(URL_SCHEMES)


def is_conninfo(text: str) -> bool:
    """Whether a text is a libpq key=value connection string (`host=db dbname=team`)."""
    match = _CONNINFO.match(text)
    return match is not None and match.group(1).lower() in _CONNINFO_KEYS


def url_scheme(text: str) -> str:
    """The scheme of a text written as a URL (`mysql` of `mysql://…`), else ""."""
    scheme, sep, _ = text.strip().partition("://")
    return scheme if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) else ""


def refuse_unknown(text: str, what: str) -> None:
    """Refuse a database named in a form greentech does not open — another scheme's URL, a
    key=value connection string — rather than take it for a file's name (a file named after a
    password); the text itself is not repeated, only its scheme."""
    from greentech_cli.errors import UsageError

    scheme = url_scheme(text)
    if scheme and not is_database_url(text):
        raise UsageError(
            f"{what}: {scheme}:// databases are not supported; give the path of a database file "
            "or a postgresql://user@host/dbname URL"
        )
    if is_conninfo(text) and not _is_file(text):
        raise UsageError(
            f"{what}: a key=value connection string is not taken; name the PostgreSQL database "
            "by its URL, postgresql://user@host/dbname (the password in ~/.pgpass or PGPASSWORD)"
        )


def _is_file(text: str) -> bool:
    try:
        return Path(text).expanduser().exists()
    except (OSError, ValueError):  # a name too long for a file, a NUL
        return False


def _is_secret_key(key: str) -> bool:
    """A connection parameter holding a password (`password`, `sslpassword`, also encoded)."""
    from urllib.parse import unquote

    return unquote(key).strip().lower().endswith("password")


def _url_parts(rest: str) -> tuple[str | None, str, str | None]:
    """A URL after its `scheme://` as libpq reads it: (user info or None, host and path, query or
    None). The user info ends at the first `@` before any `/`."""
    end = re.search(r"[@/]", rest)
    userinfo = None
    if end is not None and end.group() == "@":
        userinfo, rest = rest[: end.start()], rest[end.end() :]
    where, sep, query = rest.partition("?")
    return userinfo, where, query if sep else None


def _secret_spans(text: str) -> list[tuple[int, int]]:
    """Where the passwords of a database's URL or key=value string are, however a reader splits
    it. The user info's password runs from its first `:` to the `@` that ends it: the first `@`
    before any `/` for libpq, the last `@` before `/`, `?` or `#` for Python's urlsplit, and the
    last `@` before any `=` for a password holding a bare `/` or `?` (which libpq then fails to
    read); the widest is taken. A query's `password=`/`sslpassword=` values too."""
    if is_conninfo(text):
        return [match.span(2) for match in _CONNINFO_SECRET.finditer(text) if match.group(2)]
    scheme, sep, rest = text.partition("://")
    if not sep:
        return []
    start = len(scheme) + len(sep)
    spans = []
    libpq = re.search(r"[@/]", rest)
    ends = [libpq.start() if libpq is not None and libpq.group() == "@" else -1]
    ends.append(rest.rfind("@", 0, len(re.split(r"[/?#]", rest, maxsplit=1)[0])))
    ends.append(rest.rfind("@", 0, len(rest.split("=", 1)[0])))
    colon, end = rest.find(":"), max(ends)
    if 0 <= colon < end:
        spans.append((start + colon + 1, start + end))
    query = _url_parts(rest)[2]
    if query is not None:
        offset = len(rest) - len(query)
        for param in query.split("&"):
            key, equals, value = param.partition("=")
            if equals and value and _is_secret_key(key):
                at = offset + len(key) + 1
                spans.append((start + at, start + at + len(value)))
            offset += len(param) + 1
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif end > begin:
            merged.append((begin, end))
    return merged


def secrets(text: str) -> set[str]:
    """Every password a database's URL or key=value string may carry: as written, percent-decoded
    and (key=value) unquoted."""
    from urllib.parse import unquote

    found = set()
    for begin, end in _merged(_secret_spans(text)):
        written = text[begin:end]
        found |= {written, unquote(written)}
        if written.startswith("'"):
            found.add(re.sub(r"\\(.)", r"\1", written[1:].removesuffix("'")))
    return {value for value in found if value}


# What a password becomes while the text around it is put together again (no URL holds it).
_HIDDEN = "\x00"


def _masked(text: str, mask: str | None) -> str:
    """The text with its passwords replaced by `mask`, or left out (None): each password any
    reader finds is hidden first, then the user info and parameters that held one are redone."""
    hidden = text
    for begin, end in reversed(_merged(_secret_spans(text))):
        hidden = hidden[:begin] + _HIDDEN + hidden[end:]
    if is_conninfo(hidden):
        shown = _CONNINFO_SECRET.sub(lambda m: "" if mask is None else m.group(1) + mask, hidden)
        shown = " ".join(shown.split()) if mask is None else shown
    else:
        prefix, sep, rest = hidden.partition("://")
        if not sep:
            return text
        userinfo, where, query = _url_parts(rest)
        shown = prefix + sep
        if userinfo is not None:
            user, colon, _ = userinfo.partition(":")
            if colon and mask is not None:
                shown += f"{user}:{mask}@"
            elif user or mask is not None:
                shown += f"{user}@"
        shown += where
        if query is not None:
            params = []
            for param in query.split("&"):
                key = param.partition("=")[0]
                if _is_secret_key(key):
                    if mask is None:
                        continue
                    param = f"{key}={mask}"
                params.append(param)
            shown += "?" + "&".join(params) if params or mask is not None else ""
    return shown.replace(_HIDDEN, mask or MASK)


def shown_url(url: str) -> str:
    """A database's URL (or key=value string) as said to the user: every password shown as
    `***` — the one of `user:password@` and any `password=` or `sslpassword=` parameter,
    percent-encoded or not."""
    return _masked(url, MASK)


def url_without_password(url: str) -> str:
    """A URL to give again in a command: its passwords left out, so libpq reads the password
    from ~/.pgpass or PGPASSWORD."""
    return _masked(url, None)


def scrubbed(message: str, texts: list[str]) -> str:
    """A message with every password of the databases named by `texts` shown as `***`: the last
    guard for messages greentech does not word itself (a driver's error quoting a URL)."""
    found: set[str] = set()
    for text in texts:
        if text and (is_database_url(text) or url_scheme(text) or is_conninfo(text)):
            found |= secrets(text)
    for secret in sorted(found, key=len, reverse=True):
        message = message.replace(secret, MASK)
    return message


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
    if isinstance(text, str):
        refuse_unknown(text, reason)
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
