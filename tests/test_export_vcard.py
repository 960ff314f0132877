"""End-to-end vCard export: arbitrary names through `greentech export`, read back by vobject."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from greentech_cli.cli.app import app
from greentech_cli.db import open_db
from greentech_cli.exporters.vcf import display_name
from greentech_cli.services.records import companies as company_service
from greentech_cli.services.records import contacts as contact_service
from greentech_cli.store import contacts as contact_store

# Any printable Unicode (letters of every script, emoji, combining marks) plus the characters
# vCard must escape, the line break a note may hold, and the ones that tempt a sloppy writer.
_awkward = st.sampled_from(
    [",", ";", "\\", "\n", ":", " ", '"', "=", "ä", "Қ", "😀", "\u0301", "\u2028", "\u00a0"]
)
# Controls are left out: the writer drops them (no vCard may carry them), so they cannot read
# back; surrogates cannot be stored at all. U+2028/U+2029 and the rest of Unicode stay in.
_unicode = st.characters(blacklist_categories=("Cs", "Cc"))
_text = st.text(st.one_of(_awkward, _unicode), min_size=1, max_size=40)
_person = st.fixed_dictionaries(
    {
        "first_name": _text,
        "last_name": _text,
        "position": st.none() | _text,
        "notes": st.none() | _text,
        "native_name": st.none() | _text,
    }
)


def _physical_lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n")


def _expected(db: Any) -> dict[str, dict[str, Any]]:
    """The stored contacts (after the usual normalising) by email, as export records."""
    return {
        (c.email or ""): {**c.to_json(), "display": display_name(c.to_json())}
        for c in contact_store.iterate(db, contact_store.ContactFilter())
    }


def _unescaped(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    people=st.lists(_person, min_size=1, max_size=4),
    company=_text.filter(str.strip),
    version=st.sampled_from(["3.0", "4.0"]),
)
def test_every_exported_card_reads_back_with_vobject(
    people: list[dict[str, Any]], company: str, version: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.db"
        db = open_db(path, create=True)
        company_id = company_service.add(db, {"name": company}).id
        for number, person in enumerate(people):
            fields = {**person, "email": f"p{number}@example.com", "share_consent": "yes"}
            contact_service.add(db, fields, str(company_id))
        expected = _expected(db)
        db.close()
        result = CliRunner().invoke(
            app,
            ["--db", str(path), "export", "contacts", "-f", "vcf", "--vcard-version", version],
        )
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data.endswith(b"\r\n")
    lines = _physical_lines(data[:-2])
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    data.decode("utf-8")  # never a character split by folding

    cards = list(vobject.readComponents(data.decode("utf-8")))
    assert len(cards) == len(people)
    for card in cards:
        want = expected[card.email.value]
        assert card.version.value == version
        fns = [fn.value for fn in card.contents["fn"]]
        assert fns[0] == _unescaped(want["display"])
        name = card.n.value
        assert name.family == _unescaped(want["last_name"])
        assert name.given == _unescaped(want["first_name"])
        assert card.org.value[0] == _unescaped(want["company"])
        if want["position"]:
            assert card.title.value == _unescaped(want["position"])
        if want["notes"]:
            assert card.note.value == _unescaped(want["notes"])
        native = card.contents.get("x-greentech-native-name")
        if want["native_name"]:
            assert native is not None and native[0].value == _unescaped(want["native_name"])
        else:
            assert native is None
