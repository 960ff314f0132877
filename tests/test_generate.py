"""Tests of the benchmark data generator: determinism, sizes, planted duplicates, CSV output."""

from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from greentech_cli.text.company_names import company_key
from greentech_cli.text.names import first_names_compatible, name_keys

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def _load() -> ModuleType:
    """Import benchmarks/generate.py, which is a script and not part of the package."""
    spec = importlib.util.spec_from_file_location("greentech_benchmarks_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load()

SECTORS = {
    "circular-economy", "water", "energy-efficiency", "renewables", "hydrogen",
    "material-efficiency", "mobility", "building",
}  # fmt: skip


def test_people_are_deterministic_for_a_seed() -> None:
    first = list(gen.people(300, seed=7, duplicate_rate=0.2))
    again = list(gen.people(300, seed=7, duplicate_rate=0.2))
    other = list(gen.people(300, seed=8, duplicate_rate=0.2))
    assert first == again
    assert first != other


def test_a_longer_run_starts_with_the_shorter_one() -> None:
    short = list(gen.people(100, seed=3, duplicate_rate=0.1))
    long = list(gen.people(400, seed=3, duplicate_rate=0.1))
    assert long[:100] == short


@pytest.mark.parametrize("n", [0, 1, 17, 1000])
def test_row_count(n: int) -> None:
    assert sum(1 for _ in gen.people(n, seed=1, duplicate_rate=0.1)) == n
    assert sum(1 for _ in gen.companies(n, seed=1)) == n


def test_rows_have_the_promised_fields() -> None:
    for row in gen.people(500, seed=2, duplicate_rate=0.1):
        assert tuple(row) == gen.PERSON_FIELDS
        assert all(isinstance(value, str) for value in row.values())
        assert row["share_consent"] in ("ja", "nein", "")
        assert row["sector"] in SECTORS
        assert row["country"] in ("DE", "KZ", "UZ", "RU")
        assert row["first_name"] and row["last_name"] and row["company"]
    for company in gen.companies(500, seed=2):
        assert tuple(company) == gen.COMPANY_FIELDS
        assert company["sector"] in SECTORS
        assert company["kind"] in gen.KIND_LABELS_DE
        if company["country"] == "DE":
            assert re.fullmatch(r"\d{5}", company["postcode"])


def test_data_is_varied_like_real_lists() -> None:
    rows = list(gen.people(3000, seed=4))
    assert {row["country"] for row in rows} == {"DE", "KZ", "UZ", "RU"}
    assert any(re.search("[а-яәғқңөұүһіўҳ]", row["native_name"], re.I) for row in rows)
    assert any(row["native_name"] == "" for row in rows)
    assert any(row["email"] == "" for row in rows)
    assert any(row["last_name"].endswith("ova") for row in rows)
    phones = {row["phone"] for row in rows} | {row["mobile"] for row in rows}
    assert any(re.fullmatch(r"0\d+ / [\d ]+", p) for p in phones)  # 0211 / 98 76 54
    assert any(re.fullmatch(r"\+49 \d+ \d+", p) for p in phones)  # +49 211 987654
    assert any(re.fullmatch(r"8 7\d\d \d{3} \d\d \d\d", p) for p in phones)  # 8 701 123 45 67
    assert any(re.fullmatch(r"\+7 \(\d{3}\) \d{3}-\d\d-\d\d", p) for p in phones)
    assert any(re.fullmatch(r"\+998 \d\d \d{3} \d\d \d\d", p) for p in phones)
    companies = {row["company"] for row in rows}
    for form in ("GmbH", "GmbH & Co. KG", "AG", "AöR", "e.V.", "LLP", "TOO", "JSC", "OOO", "MChJ"):
        assert any(form in name for name in companies), form
    assert any(name.startswith(("ТОО «", "ООО «", "МЧЖ «")) for name in companies)


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5])
def test_duplicate_rate_is_roughly_respected(rate: float) -> None:
    n = 4000
    planted = sum(1 for row in gen.people(n, seed=5, duplicate_rate=rate) if row["dup_of"])
    assert abs(planted / n - rate) < 0.03


def test_no_duplicates_without_a_rate() -> None:
    assert not any(row["dup_of"] for row in gen.people(2000, seed=5))


def test_duplicates_point_to_earlier_originals() -> None:
    rows = list(gen.people(3000, seed=6, duplicate_rate=0.2))
    for index, row in enumerate(rows):
        if row["dup_of"]:
            target = int(row["dup_of"])
            assert 0 <= target < index
            assert rows[target]["dup_of"] == "", "a duplicate points to an original"


def test_duplicates_are_plausible_but_not_identical() -> None:
    rows_kinds = list(gen.people_with_kinds(6000, seed=9, duplicate_rate=0.2))
    rows = [row for row, _ in rows_kinds]
    kinds_seen = set()
    for row, kind in rows_kinds:
        if not kind:
            continue
        kinds_seen.add(kind)
        original = rows[int(row["dup_of"])]
        differing = [f for f in gen.PERSON_FIELDS[:-1] if row[f] != original[f]]
        assert differing, (kind, row)
        # The planted pair names one person; the keys the application uses must allow finding it.
        if kind in ("script", "transliteration", "swapped", "umlaut"):
            assert row["company"] and original["company"]
        if kind == "email-same":
            assert row["email"].lower() == original["email"].lower()
            assert (row["first_name"], row["last_name"]) != (
                original["first_name"],
                original["last_name"],
            )
        if kind == "email-changed":
            assert row["email"] != original["email"]
            assert (row["first_name"], row["last_name"]) == (
                original["first_name"],
                original["last_name"],
            )
            assert company_key(row["company"]) == company_key(original["company"])
        if kind == "swapped":
            assert (row["first_name"], row["last_name"]) == (
                original["last_name"],
                original["first_name"],
            )
        if kind == "script":
            assert re.search("[а-яё]", row["last_name"], re.I)
        if kind == "umlaut":
            assert re.search("[äöüß]", original["first_name"] + original["last_name"], re.I)
    assert kinds_seen == set(gen.DUPLICATE_KINDS)


def test_planted_name_duplicates_meet_in_name_keys() -> None:
    """Most cross-script and transliteration duplicates share a key with their original."""
    found = total = 0
    rows_kinds = list(gen.people_with_kinds(6000, seed=11, duplicate_rate=0.2))
    rows = [row for row, _ in rows_kinds]
    for row, kind in rows_kinds:
        if kind not in ("script", "transliteration", "umlaut", "swapped"):
            continue
        original = rows[int(row["dup_of"])]
        total += 1
        keys = name_keys(row["first_name"], row["last_name"], row["native_name"])
        other = name_keys(original["first_name"], original["last_name"], original["native_name"])
        found += bool(keys & other)
    assert total > 100
    assert found / total > 0.8, (found, total)


def test_email_same_first_names_stay_compatible() -> None:
    rows_kinds = list(gen.people_with_kinds(4000, seed=12, duplicate_rate=0.2))
    rows = [row for row, _ in rows_kinds]
    for row, kind in rows_kinds:
        if kind == "email-same" and not re.search("[а-яё]", row["first_name"], re.I):
            original = rows[int(row["dup_of"])]
            if "." in row["first_name"]:
                assert first_names_compatible(row["first_name"], original["first_name"])


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        list(gen.people(-1))
    with pytest.raises(ValueError):
        list(gen.people(10, duplicate_rate=1.0))
    with pytest.raises(ValueError):
        list(gen.companies(-1))


def test_companies_are_deterministic() -> None:
    assert list(gen.companies(200, seed=1)) == list(gen.companies(200, seed=1))
    assert list(gen.companies(200, seed=1)) != list(gen.companies(200, seed=2))


def test_generator_streams() -> None:
    stream = gen.people(10**9, seed=1, duplicate_rate=0.1)
    assert len(list(itertools.islice(stream, 50))) == 50


def test_csv_de_output_parses(tmp_path: Path) -> None:
    out = tmp_path / "people.csv"
    truth = tmp_path / "truth.csv"
    gen.main(["people", "300", "--seed", "2", "--duplicates", "0.1", "--out", str(out),
              "--truth", str(truth)])  # fmt: skip
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert tuple(rows[0]) == gen.PERSON_HEADERS_DE
    assert len(rows) == 301
    assert all(len(row) == len(gen.PERSON_HEADERS_DE) for row in rows)
    assert {row[11] for row in rows[1:]} <= set(gen.COUNTRY_NAMES_DE.values())
    with truth.open(encoding="utf-8", newline="") as handle:
        planted = list(csv.DictReader(handle))
    assert planted and all(int(p["dup_of"]) < int(p["row"]) for p in planted)
    assert all(p["kind"] in gen.DUPLICATE_KINDS for p in planted)


def test_plain_csv_output_parses(tmp_path: Path) -> None:
    out = tmp_path / "people.csv"
    gen.main(["people", "200", "--format", "csv", "--duplicates", "0.1", "--out", str(out)])
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 200
    assert rows == list(gen.people(200, seed=0, duplicate_rate=0.1))


def test_companies_csv_output_parses(tmp_path: Path) -> None:
    for fmt, delimiter in (("csv", ","), ("csv-de", ";")):
        out = tmp_path / f"companies-{fmt}.csv"
        gen.main(["companies", "150", "--format", fmt, "--out", str(out)])
        with out.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=delimiter))
        assert len(rows) == 151
        assert all(len(row) == len(gen.COMPANY_FIELDS) for row in rows)
        if fmt == "csv-de":
            assert tuple(rows[0]) == gen.COMPANY_HEADERS_DE
            # German spreadsheets write decimal commas; postcodes keep leading zeros.
            assert any("," in row[8] for row in rows[1:])
        else:
            assert any(row[5].startswith("0") for row in rows[1:])


def test_stdout_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    gen.main(["companies", "5", "--format", "csv"])
    output = capsysbinary.readouterr().out.decode("utf-8")
    assert len(list(csv.reader(io.StringIO(output)))) == 6
