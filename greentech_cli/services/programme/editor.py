"""`contact edit REF --editor`: the contact as YAML in the officer's editor, read back and applied.

The file holds every data field of the contact as a programme file's person (the keys of
`programme.document.PERSON_FIELDS`, the lists of emails, phones and addresses as their JSON
writes them) and is read back with the programme file's safe loader and value rules, then
applied through `contacts.edit`: the same normalising, the same refusals (control characters in
names, an email another contact has unless `force`), one transaction, one audit entry.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import Aborted, GreentechError, InvalidData, UsageError
from greentech_cli.files import write_private_text
from greentech_cli.models.fields import Email
from greentech_cli.models.records import PRIMARY_KEYS, Contact
from greentech_cli.services.programme.document import PERSON_FIELDS, Doc, load
from greentech_cli.services.records import contacts

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The keys the file shows: a programme file's person, with the lists in place of their primaries
# (`email`, `phone` and `mobile` are read too, naming a primary).
EDITOR_FIELDS = tuple(key for key in PERSON_FIELDS if key not in PRIMARY_KEYS)

HEADER = """\
# greentech contact {id}: {name}
# Edit and save to apply; quit without saving to change nothing. Every field is here: a field
# left empty (null) or deleted is cleared. The first email is the primary one; the first phone
# that is neither mobile nor fax is the primary phone, the first mobile the primary mobile.
# Types: emails work|home|other, phones work|home|mobile|fax|other, addresses home|work|other.
# Quote values YAML would read as numbers or yes/no: postcodes '01067', phones '+49…'.
"""


@dataclass
class EditorResult:
    """What an editor session did: the contact as stored and the fields that changed."""

    contact: Contact
    changes: dict[str, list[Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def as_yaml(contact: Contact) -> str:
    """The contact as the YAML the officer edits: the header, then every field in file order."""
    import yaml

    record = contact.to_json()
    entry = {key: record.get(key) for key in EDITOR_FIELDS}
    for key in ("emails", "phones"):  # the order says which is primary
        entry[key] = [{k: v for k, v in item.items() if k != "primary"} for item in record[key]]
    body = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, width=100)
    return HEADER.format(id=contact.id, name=contact.display_name.replace("\n", " ")) + body


def read_yaml(text: str, source: str) -> tuple[dict[str, Any], str]:
    """The edited file as `contacts.edit` fields and a company reference ("" for none).

    Keys the file lacks are cleared; a value the programme file refuses is refused here too,
    naming the file, line and field."""
    data, lines = load(text, source)
    doc = Doc(source, lines)
    if data is None:
        raise InvalidData(f"{source}: the file is empty")
    fields = doc.mapping(data, (), PERSON_FIELDS)
    edited = {key: fields.get(key) for key in EDITOR_FIELDS}
    edited.update({key: fields[key] for key in PRIMARY_KEYS if key in fields})
    company = edited.pop("company") or ""
    for key, value in edited.items():  # each field checked alone, so the error names it
        try:
            contacts.apply_fields(_scratch(), {key: value})
        except GreentechError as exc:
            raise doc.fail((key,), exc.message) from None
    return edited, str(company)


def _scratch() -> Contact:
    """A contact that stays somebody whichever one field is cleared."""
    return Contact(first_name="-", last_name="-", native_name="-", emails=[Email("a@example.org")])


def apply_text(
    db: Database, ref: str, text: str, source: str, *, force: bool = False
) -> EditorResult:
    """Apply an edited file to the contact in one transaction (audited as `contact edit` is)."""
    fields, company = read_yaml(text, source)
    # The company as it was stays linked by id (a name two companies share stays unambiguous).
    same = company == (contacts.resolve(db, ref).company or "")
    contact, changes, warnings = contacts.edit(
        db, ref, fields, None if same else company, force=force
    )
    return EditorResult(contact, changes, warnings)


def editor_command() -> list[str]:
    """The officer's editor: $VISUAL, else $EDITOR, else vi on a terminal; refused without one."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return shlex.split(value, posix=os.name != "nt")
    if sys.stdin.isatty() and sys.stdout.isatty() and shutil.which("vi"):
        return ["vi"]
    raise UsageError(
        "--editor needs an editor: set $VISUAL or $EDITOR (no terminal to run vi on); "
        "nothing changed"
    )


def edit_in_editor(db: Database, ref: str, *, force: bool = False) -> EditorResult:
    """Open the contact in the editor and apply what was saved.

    The file is owner-only in an owner-only temporary folder. An unchanged file changes nothing
    (an empty `changes`); an editor that fails applies nothing; a file that cannot be applied is
    kept, and the error names its path, so the officer loses nothing of what was typed."""
    contact = contacts.resolve(db, ref)
    command = editor_command()
    original = as_yaml(contact)
    folder = Path(tempfile.mkdtemp(prefix="greentech-edit-"))  # created 0700
    path = folder / f"contact-{contact.id}.yaml"
    keep = False
    try:
        write_private_text(path, original, newline="")
        try:
            status = subprocess.run([*command, str(path)], check=False).returncode
        except OSError as exc:
            raise UsageError(f"cannot run the editor {command[0]!r}: {exc.strerror}") from None
        if status != 0:
            raise Aborted(f"the editor exited with status {status}; nothing changed")
        if not path.is_file():
            raise Aborted(f"the editor removed {path.name}; nothing changed")
        try:
            text = _read_text(path)
            if text.replace("\r\n", "\n") == original:
                return EditorResult(contact)
            return apply_text(db, str(contact.id), text, path.name, force=force)
        except GreentechError as exc:
            keep = True
            raise type(exc)(
                f"{exc.message}; nothing changed, your edit is kept in {path}"
            ) from None
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _read_text(path: Path) -> str:
    """The saved file as text; a file that is not UTF-8 is refused, never guessed at."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(
            f"{path}: byte {exc.start + 1} is not UTF-8; save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise InvalidData(f"{path}: cannot read the saved file ({exc.strerror})") from None
