"""Files with personal data are owner-only (folders too) and complete or absent: `export --split`
and the import's `--rejects` go through files.py like `export --out` does."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common umask 022: without care, files would be 0644 and folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def people(cli: Cli) -> Cli:
    for first, last in (("Petra", "Schäfer"), ("Jens", "Ohm"), ("Aigerim", "Sadykova")):
        cli.ok(
            "contact", "add", "--first", first, "--last", last,
            "--email", f"{first.lower()}@example.com", "--share-consent", "yes",
        )  # fmt: skip
    return cli


def test_split_files_and_their_new_folder_are_owner_only(people: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "new" / "cards"
    people.ok("export", "contacts", "--format", "vcf", "--split", str(folder))
    written = sorted(folder.iterdir())
    assert len(written) == 3
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert all(mode(path) == 0o600 for path in written)
    # A folder that is already there keeps its mode; the files in it are owner-only.
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    (shared / "Petra Schäfer.vcf").write_text("someone else's card")
    people.ok("export", "contacts", "--format", "vcf", "--split", str(shared))
    assert mode(shared) == 0o755
    assert (shared / "Petra Schäfer.vcf").read_text() == "someone else's card"
    assert mode(shared / "Petra Schäfer (2).vcf") == 0o600
    assert not [p for p in shared.iterdir() if p.name.startswith(".")]


def failing_after(count: int, real: Any) -> Any:
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > count:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    return wrapper


def test_split_leaves_nothing_after_an_error(
    people: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from greentech_cli.exporters import vcard_format

    monkeypatch.setattr(vcard_format, "vcard_lines", failing_after(2, vcard_format.vcard_lines))
    folder = tmp_path / "cards"
    people.fails("export", "contacts", "--format", "vcf", "--split", str(folder))
    assert not folder.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("keep")
    monkeypatch.setattr(vcard_format, "vcard_lines", failing_after(2, vcard_format.vcard_lines))
    people.fails("export", "contacts", "--format", "vcf", "--split", str(existing))
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_split_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without hard links (FAT on a USB stick): rename, still never overwriting."""
    # Imported here: the command-line tests above also run on code from before files.py had it.
    from greentech_cli import files
    from greentech_cli.files import write_private_files

    def no_links(*args: Any) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    (tmp_path / "Anna.vcf").write_text("keep")
    paths = write_private_files(tmp_path, [("Anna", b"1"), ("anna", b"2"), ("Bo", b"3")], ".vcf")
    assert [p.name for p in paths] == ["Anna (2).vcf", "anna (3).vcf", "Bo.vcf"]
    assert (tmp_path / "Anna.vcf").read_text() == "keep"
    assert [p.read_bytes() for p in paths] == [b"1", b"2", b"3"]
    assert all(mode(p) == 0o600 for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Anna (2).vcf", "Anna.vcf", "Bo.vcf", "anna (3).vcf",
    ]  # fmt: skip


BAD_ROWS = "first_name,last_name,email\nAnna,Muster,anna@example.com\n,,bad@@mail\n,,worse@@\n"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_rejects_file_is_owner_only(cli: Cli, tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    rejects = tmp_path / f"rejects{suffix}"
    summary = cli.json("import", str(source), "--rejects", str(rejects))
    assert summary["rejected"] == 2 and summary["rejects_file"] == str(rejects)
    assert mode(rejects) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", rejects.name, "data"])


def test_no_rejects_file_after_a_failed_import(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from greentech_cli.services.imports.rejects import RejectsWriter

    cli.ok("init")
    source = tmp_path / "in.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("an older rejects file\n")
    monkeypatch.setattr(RejectsWriter, "write", failing_after(1, RejectsWriter.write))
    cli.fails("import", str(source), "--rejects", str(rejects))
    assert rejects.read_text() == "an older rejects file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "in.csv", "rejects.csv"]
    assert cli.json("contact", "list") == []


def test_rejects_into_a_missing_folder_fails_before_importing(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    source = tmp_path / "in.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    result = cli.fails("import", str(source), "--rejects", str(tmp_path / "no" / "r.xlsx"))
    assert "does not exist" in result.stderr
    assert cli.json("contact", "list") == []


def test_programme_dump_out_is_owner_only_and_replaces_a_file_whole(
    cli: Cli, tmp_path: Path
) -> None:
    """Issue 15 item 9: `programme dump --out` holds members' names, emails and phones."""
    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "programme.yaml"
    cli.ok("programme", "apply", str(demo))
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "programme.yaml"
    target.write_text("an older dump\n", encoding="utf-8")
    os.chmod(target, 0o644)
    cli.ok("programme", "dump", "kz-waste-demo", "--out", str(target))
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8") == cli.ok("programme", "dump", "kz-waste-demo").stdout
    assert [p.name for p in target.parent.iterdir()] == ["programme.yaml"]  # no temporary left
