"""Tests for reading YAML/JSON record lists (greentech_cli.importers.structured)."""

from __future__ import annotations

from pathlib import Path

import pytest

from greentech_cli.errors import InvalidData, NotFound, UnreadableFile
from greentech_cli.importers.structured import load_yaml, parse_yaml, read_records


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_scalars_stay_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "contacts.yaml",
        "contacts:\n"
        "  - first_name: Jürgen\n"
        "    company_postcode: 01067\n"
        "    phone: +4921112345\n"
        "    country: NO\n"
        "    arrival: 10:30\n"
        "    birth_date: 1980-05-17\n"
        "    share_consent: yes\n"
        "    marketing_consent: off\n"
        "    vip: true\n"
        "    notes: ~\n"
        "    lat: 51.2277\n"
        "    languages: [de, en, kk]\n",
    )
    assert read_records(path) == [
        {
            "first_name": "Jürgen",
            "company_postcode": "01067",
            "phone": "+4921112345",
            "country": "NO",
            "arrival": "10:30",
            "birth_date": "1980-05-17",
            "share_consent": "yes",
            "marketing_consent": "off",
            "vip": True,
            "notes": None,
            "lat": "51.2277",
            "languages": ["de", "en", "kk"],
        }
    ]


def test_yaml_top_level_list_merge_keys_and_explicit_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people.yml",
        "- &base {country: KZ, role: delegate}\n"
        "- <<: *base\n"
        "  first_name: Aigerim\n"
        "  count: !!int 3\n",
    )
    records = read_records(path)
    assert records[1] == {"country": "KZ", "role": "delegate", "first_name": "Aigerim", "count": 3}


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append("contacts: [*i]")
    path = write(tmp_path, "laughs.yaml", "\n".join(lines) + "\n")
    # Refused while composing, before anything is expanded or built.
    with pytest.raises(UnreadableFile, match=r"laughs.yaml uses too many YAML aliases"):
        read_records(path)


def test_yaml_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "loop.yaml", "- &a [*a]\n")
    with pytest.raises(UnreadableFile, match="line 1: a YAML alias refers to itself"):
        read_records(path)


@pytest.mark.parametrize(
    "text",
    [
        "- !!python/object/apply:os.system ['echo hi']\n",
        "- !!python/object:builtins.dict {a: 1}\n",
        "- name: !!python/name:os.system\n",
    ],
)
def test_yaml_python_tags_are_refused(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "evil.yaml", text)
    with pytest.raises(UnreadableFile, match=r"evil.yaml line 1: the tag !!python/.* not allowed"):
        read_records(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "- first_name: Anna\n  last_name: [Schmidt\n- x: 1\n")
    with pytest.raises(UnreadableFile, match=r"broken.yaml line \d+: invalid YAML"):
        read_records(path)


def test_yaml_item_that_is_not_a_record(tmp_path: Path) -> None:
    path = write(tmp_path, "list.yaml", "- first_name: Anna\n- just text\n")
    with pytest.raises(InvalidData, match=r"list.yaml line 2: item 2 of the list is not a record"):
        read_records(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first_name: Anna\n", "does not hold a list of records"),
        ("just text\n", "does not hold a list of records"),
        ("contacts: [{a: 1}]\ncompanies: [{b: 2}]\n", "several lists"),
    ],
)
def test_yaml_wrong_shapes(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "shape.yaml", text)
    with pytest.raises(InvalidData, match=message):
        read_records(path)


def test_yaml_mapping_with_one_list_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.yaml", "version: 1\ncompanies:\n  - name: Remondis\n")
    assert read_records(path) == [{"name": "Remondis"}]


def test_empty_list_is_no_records(tmp_path: Path) -> None:
    assert read_records(write(tmp_path, "none.yaml", "contacts: []\n")) == []


@pytest.mark.parametrize("text", ["", "  \n\n", "# only a comment\n"])
def test_empty_files(tmp_path: Path, text: str) -> None:
    with pytest.raises(UnreadableFile, match="is empty"):
        read_records(write(tmp_path, "leer.yaml", text))


def test_json_records_with_numbers_as_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "contacts.json",
        '{"contacts": [{"first_name": "Жанибек", "lat": 51.20, "count": 3, "ok": true,'
        ' "x": null}]}',
    )
    assert read_records(path) == [
        {"first_name": "Жанибек", "lat": "51.20", "count": "3", "ok": True, "x": None}
    ]


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '[\n  {"a": 1},\n  {"b": }\n]')
    with pytest.raises(UnreadableFile, match=r"bad.json line 3 column 9: invalid JSON"):
        read_records(path)


def test_json_item_that_is_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="item 2 of the list is not a record"):
        read_records(write(tmp_path, "x.json", '[{"a": "1"}, 5]'))


def test_content_detection_without_known_extension(tmp_path: Path) -> None:
    assert read_records(write(tmp_path, "a.txt", '[{"a": "b"}]')) == [{"a": "b"}]
    assert read_records(write(tmp_path, "b.txt", "- a: b\n")) == [{"a": "b"}]
    # A flow-style YAML list is not JSON but still readable.
    assert read_records(write(tmp_path, "c.txt", "[{a: 01067}]")) == [{"a": "01067"}]


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("- a: b\n- name: Müller\n".encode("cp1252"))
    with pytest.raises(UnreadableFile, match=r"latin.yaml line 2: the file is not UTF-8"):
        read_records(path)


def test_utf8_bom_and_utf16(tmp_path: Path) -> None:
    bom = tmp_path / "bom.yaml"
    bom.write_bytes("\ufeff- name: Weiß\n".encode())
    assert read_records(bom) == [{"name": "Weiß"}]
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes('[{"name": "Қайрат"}]'.encode("utf-16"))
    assert read_records(utf16) == [{"name": "Қайрат"}]


def test_binary_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\x00\x01\x02\x03")
    with pytest.raises(UnreadableFile, match="binary"):
        read_records(binary)
    with pytest.raises(NotFound, match="does not exist"):
        read_records(tmp_path / "missing.yaml")


def test_control_character_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "ctl.yaml", "- a: b\n- c: d\x07\n")
    with pytest.raises(UnreadableFile, match=r"ctl.yaml line 2: the file contains a character"):
        read_records(path)


def test_load_yaml_and_parse_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "columns:\n  PLZ: company_postcode\nvalues: {x: NO}\n")
    expected = {"columns": {"PLZ": "company_postcode"}, "values": {"x": "NO"}}
    assert load_yaml(path) == expected
    assert load_yaml(path, trusted=True) == expected
    assert parse_yaml("a: 01067") == {"a": "01067"}
    assert parse_yaml("") is None
