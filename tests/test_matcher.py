"""The shared matcher: same person across scripts and spellings, and the negatives."""

from __future__ import annotations

from typing import Any

import pytest

from greentech_cli.services.identity.index import ContactIndex
from greentech_cli.services.identity.matcher import THRESHOLD, Candidate, score


def person(first: str | None, last: str | None, **kw: Any) -> Candidate:
    return Candidate(first_name=first, last_name=last, **kw)


TAZA = "Taza Su LLP"

SAME_PERSON = [
    # The spellings of the issue: Cyrillic, passport Latin and German transliteration.
    (person("Zhanibek", "Nurlanov", company=TAZA), person("Жанибек", "Нурланов", company=TAZA)),
    (person("Zhanibek", "Nurlanov", company=TAZA), person("Schanibek", "Nurlanow", company=TAZA)),
    (person("Жанибек", "Нурланов", company=TAZA), person("Schanibek", "Nurlanow", company=TAZA)),
    # The organisation written another way: legal form stripped, Cyrillic, capitals.
    (
        person("Zhanibek", "Nurlanov", company="TOO «Taza Su»"),
        person("Schanibek", "Nurlanow", company="ТОО «Таза Су»"),
    ),
    (
        person("Jürgen", "Müller", company="Lippe Recycling GmbH"),
        person("Juergen", "Mueller", company="LIPPE RECYCLING"),
    ),
    (
        person("Jürgen", "Müller", company="Lippe Recycling GmbH"),
        person("Jurgen", "Muller", company="Lippe-Recycling G.m.b.H."),
    ),
    # A native name with patronymic beside the Latin one.
    (
        person(None, None, native_name="Нурланов Жанибек Серикович", company=TAZA),
        person("Zhanibek", "Nurlanov", company=TAZA),
    ),
    # Kazakh letters and the English spelling.
    (
        person("Қайрат", "Әбдірахманов", company=TAZA),
        person("Kairat", "Abdirakhmanov", company=TAZA),
    ),
    (
        person("Qayrat", "Abdirakhmanov", company=TAZA),
        person("Kajrat", "Abdirachmanow", company=TAZA),
    ),
    # Swapped first and last name.
    (person("Nurlanov", "Zhanibek", company=TAZA), person("Zhanibek", "Nurlanov", company=TAZA)),
    # An initial and a nickname beside the same surname at the same company.
    (
        person("J.", "Müller", company="Lippe Recycling GmbH"),
        person("Jürgen", "Müller", company="Lippe Recycling"),
    ),
    (person("Sascha", "Ivanov", company="X AO"), person("Aleksandr", "Ivanov", company="X")),
    # Different companies, but the same phone.
    (
        person("Thomas", "Weber", phone="+492111234567", company="A GmbH"),
        person("Thomas", "Weber", mobile="+49 211 1234567", company="B GmbH"),
    ),
    # A typo in the surname with the same phone.
    (
        person("Aigerim", "Zhaksylykova", phone="+77011234567"),
        person("Aigerim", "Zhaksilykova", phone="+77011234567"),
    ),
    # Same email domain of an organisation supports the same name.
    (
        person("Petra", "Schäfer", email="petra@lippe.example"),
        person("Petra", "Schaefer", email="p.schaefer@lippe.example"),
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME_PERSON)
def test_same_person_is_found(a: Candidate, b: Candidate) -> None:
    found = score(a, b)
    assert found is not None and found.score >= THRESHOLD, found
    assert score(b, a).score == found.score  # type: ignore[union-attr]


DIFFERENT = [
    # Similar first names are different people, whatever else they share.
    (person("Olga", "Ivanova", company="X"), person("Oleg", "Ivanov", company="X")),
    (
        person("Olga", "Ivanova", phone="+77011234567"),
        person("Oleg", "Ivanov", phone="+77011234567"),
    ),
    (person("Petra", "Müller", company="X GmbH"), person("Peter", "Müller", company="X GmbH")),
    (person("Petra", "Müller", company="X GmbH"), person("Peter", "Mueller", company="X GmbH")),
    # Feminine and masculine surname with the same initial.
    (person("A.", "Ivanova", company="X"), person("A.", "Ivanov", company="X")),
    (person("Anna", "Müller", company="X"), person("Hanna", "Müller", company="X")),
    (person("Alexander", "Schmidt", company="X"), person("Alexandra", "Schmidt", company="X")),
    # A common name at different companies with no shared email or phone.
    (
        person("Thomas", "Müller", company="Lippe Recycling GmbH"),
        person("Thomas", "Müller", company="Aqua Wassertechnik AG"),
    ),
    (
        person("Thomas", "Müller", company="A GmbH", phone="+492111111111"),
        person("Thomas", "Müller", company="B GmbH", phone="+492212222222"),
    ),
    (person("Thomas", "Müller"), person("Thomas", "Müller")),
    # Private addresses at one provider say nothing.
    (
        person("Thomas", "Müller", email="tm@gmail.com"),
        person("Thomas", "Müller", email="thomas.m@gmail.com"),
    ),
    # Same company, but different phones on both sides.
    (
        person("Thomas", "Müller", company="X GmbH", phone="+492111111111"),
        person("Thomas", "Müller", company="X GmbH", phone="+492112222222"),
    ),
    # A shared mailbox with two different people.
    (
        person("Hans", "Meier", email="info@lippe.example"),
        person("Petra", "Schulz", email="INFO@lippe.example"),
    ),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_people_are_not_merged_automatically(a: Candidate, b: Candidate) -> None:
    found = score(a, b)
    assert found is None or found.score < THRESHOLD, found


def test_same_email_is_a_match_ignoring_case() -> None:
    found = score(
        person("Zhanibek", "Nurlanov", email="z.nurlanov@taza.kz"),
        person("Schanibek", "Nurlanow", email="Z.Nurlanov@TAZA.kz"),
    )
    assert found is not None and found.score == 100
    assert found.reasons[0] == "same email"


def test_reasons_name_the_evidence() -> None:
    found = score(
        person("Zhanibek", "Nurlanov", company=TAZA, phone="+77011234567",
               native_name="Жанибек Нурланов"),
        person("Schanibek", "Nurlanow", company="TOO Taza Su", mobile="+7 701 123 45 67",
               native_name="Жанибек Нурланов"),
    )  # fmt: skip
    assert found is not None
    assert found.reasons == ["same folded name", "same phone", "same company", "same native name"]
    assert found.score == 99


def test_contradictions_are_listed() -> None:
    found = score(
        person("Thomas", "Müller", company="A GmbH", phone="+492111111111"),
        person("Thomas", "Mueller", company="B GmbH", phone="+492212222222"),
    )
    assert found is not None
    assert "different phones" in found.reasons and "different companies" in found.reasons


def test_index_finds_every_spelling_and_no_namesake() -> None:
    index = ContactIndex()
    index.add(1, person("Zhanibek", "Nurlanov", company=TAZA, email="zn@taza.kz"))
    index.add(2, person("Thomas", "Müller", company="Lippe Recycling GmbH"))
    index.add(3, person("Thomas", "Müller", company="Aqua Wassertechnik AG"))
    index.add(4, person("Olga", "Ivanova", company=TAZA))
    assert [
        m.contact_id for m in index.find(person("Жанибек", "Нурланов", company="ТОО Таза Су"))
    ] == [1]
    assert [
        m.contact_id for m in index.find(person("Schanibek", "Nurlanow", company="Taza Su"))
    ] == [1]
    assert [m.contact_id for m in index.find(person("X", "Y", email="ZN@taza.kz"))] == []
    assert [m.contact_id for m in index.find(person(None, None, email="ZN@taza.kz"))] == [1]
    assert [
        m.contact_id for m in index.find(person("Thomas", "Mueller", company="LIPPE RECYCLING"))
    ] == [2]
    assert index.find(person("Thomas", "Müller", company="Emscher Bau GmbH")) == []
    assert index.find(person("Oleg", "Ivanov", company=TAZA)) == []
    # A lower threshold shows the namesakes, with their reasons.
    loose = index.find(person("Thomas", "Müller"), threshold=40)
    assert sorted(m.contact_id for m in loose) == [2, 3]
    assert all(m.reasons == ["same folded name"] for m in loose)


def test_index_exclude_remove_and_replace() -> None:
    index = ContactIndex()
    index.add(1, person("Petra", "Schäfer", company="Lippe Recycling GmbH"))
    index.add(2, person("Petra", "Schaefer", company="Lippe Recycling"))
    probe = person("Petra", "Schafer", company="Lippe Recycling")
    assert [m.contact_id for m in index.find(probe)] == [1, 2]
    assert [m.contact_id for m in index.find(probe, exclude=1)] == [2]
    index.remove(2)
    assert [m.contact_id for m in index.find(probe)] == [1]
    index.add(1, person("Hans", "Meier", company="Lippe Recycling"))
    assert index.find(probe) == []
    assert len(index) == 1


def test_pairs_compare_within_blocks_only() -> None:
    index = ContactIndex()
    rows = [
        (1, person("Zhanibek", "Nurlanov", company=TAZA)),
        (2, person("Жанибек", "Нурланов", company="ТОО «Таза Су»")),
        (3, person("Schanibek", "Nurlanow", company="Taza Su", email="z@taza.kz")),
        (4, person("Olga", "Ivanova", company=TAZA)),
        (5, person("Oleg", "Ivanov", company=TAZA)),
        (6, person("Thomas", "Müller", company="A GmbH")),
        (7, person("Thomas", "Müller", company="B GmbH")),
        (8, person("Anna", "Schmidt", email="a@x.de")),
        (9, person("Anna", "Schmidt", email="A@X.DE")),
    ]
    for contact_id, candidate in rows:
        index.add(contact_id, candidate)
    pairs = index.pairs()
    assert [(p.a, p.b) for p in pairs] == [(8, 9), (1, 2), (1, 3), (2, 3)]
    assert pairs[0].to_json() == {
        "a": 8,
        "b": 9,
        "score": 100,
        "reasons": ["same email", "same folded name"],
    }
    assert [(p.a, p.b) for p in index.pairs(threshold=40)][-1] == (6, 7)


def test_candidate_of_contact() -> None:
    from greentech_cli.models.records import Contact

    contact = Contact(first_name="Petra", last_name="Schäfer", company="Lippe GmbH", company_id=3)
    candidate = Candidate.of(contact)
    assert candidate.company == "Lippe GmbH" and candidate.company_id == 3


def test_company_by_id_meets_company_by_name() -> None:
    index = ContactIndex()
    index.add(1, person("Petra", "Schäfer", company="Lippe Recycling GmbH", company_id=7))
    probe = person("Petra", "Schaefer", company_id=7)  # an import row resolved to company 7
    assert [(m.contact_id, m.reasons) for m in index.find(probe)] == [
        (1, ["same folded name", "same company"])
    ]


def test_index_from_database(db: Any) -> None:
    from greentech_cli.models.records import Company, Contact
    from greentech_cli.store import companies, contacts

    company = companies.insert(db, Company(name="Taza Su LLP"))
    contacts.insert(db, Contact(first_name="Zhanibek", last_name="Nurlanov", company_id=company.id))
    contacts.insert(db, Contact(first_name="Olga", last_name="Ivanova", company_id=company.id))
    index = ContactIndex.from_db(db)
    assert len(index) == 2
    found = index.find(person("Жанибек", "Нурланов", company_id=company.id))
    assert [m.contact_id for m in found] == [1]
    assert index.find(person("Oleg", "Ivanov", company_id=company.id)) == []


_NAMES = [
    "Zhanibek", "Жанибек", "Schanibek", "Olga", "Oleg", "Petra", "Peter", "J.", "Müller",
    "Mueller", "Nurlanov", "Нурланова", "Ivanova", "Ivanov", "Sascha", "Aleksandr", "",
]  # fmt: skip
_COMPANIES = ["Taza Su LLP", "ТОО «Таза Су»", "Lippe Recycling GmbH", "Aqua AG", ""]
_PHONES = ["+77011234567", "+492111234567", ""]
_EMAILS = ["z@taza.kz", "Z@TAZA.KZ", "p@gmail.com", "info@lippe.example", ""]


def _candidates() -> Any:
    from hypothesis import strategies as st

    text = st.sampled_from
    return st.builds(
        lambda f, last, c, p, e: person(f or None, last or None, company=c or None,
                                        phone=p or None, email=e or None),
        text(_NAMES), text(_NAMES), text(_COMPANIES), text(_PHONES), text(_EMAILS),
    )  # fmt: skip


def test_score_is_symmetric_and_bounded() -> None:
    from hypothesis import given, settings

    @settings(max_examples=300, deadline=None)
    @given(_candidates(), _candidates())
    def check(a: Candidate, b: Candidate) -> None:
        one, two = score(a, b), score(b, a)
        assert (one is None) == (two is None)
        if one is not None and two is not None:
            assert one.score == two.score and sorted(one.reasons) == sorted(two.reasons)
            assert 0 <= one.score <= 100

    check()


def test_index_find_agrees_with_score() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=100, deadline=None)
    @given(st.lists(_candidates(), min_size=1, max_size=8), _candidates())
    def check(stored: list[Candidate], probe: Candidate) -> None:
        index = ContactIndex()
        for contact_id, candidate in enumerate(stored, 1):
            index.add(contact_id, candidate)
        found = {m.contact_id: m.score for m in index.find(probe)}
        for contact_id, candidate in enumerate(stored, 1):
            direct = score(probe, candidate)
            expected = direct is not None and direct.score >= THRESHOLD
            assert (contact_id in found) == expected, (probe, candidate, direct)

    check()


def test_pairs_agree_with_comparing_all_pairs() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=100, deadline=None)
    @given(st.lists(_candidates(), min_size=2, max_size=10), st.sampled_from([40, 70, 90]))
    def check(stored: list[Candidate], threshold: int) -> None:
        index = ContactIndex()
        for contact_id, candidate in enumerate(stored, 1):
            index.add(contact_id, candidate)
        expected = set()
        for i, a in enumerate(stored, 1):
            for j, b in enumerate(stored, 1):
                found = score(a, b) if i < j else None
                if found is not None and found.score >= threshold:
                    expected.add((i, j))
        assert {(p.a, p.b) for p in index.pairs(threshold)} == expected

    check()


def test_same_company_id_counts_without_names() -> None:
    # The import's incoming row knows its company by id only; the stored contact by id and name.
    found = score(
        person("Petra", "Schaefer", company_id=7),
        person("Petra", "Schäfer", company="Lippe Recycling GmbH", company_id=7),
    )
    assert found is not None and found.reasons == ["same folded name", "same company"]


def test_index_of_rows() -> None:
    from greentech_cli.services.identity.index import index_of

    index = index_of([(1, person("Anna", "Schmidt", email="a@x.de")), (2, person("B", "C"))])
    assert len(index) == 2 and [
        m.contact_id for m in index.find(person(None, None, email="A@X.DE"))
    ] == [1]


# --- the two decisions: the same person (acted on) and possibly the same (listed) ---------------

SIEMENS = "Siemens AG"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # A shared email with names that fit: any of either's addresses counts.
        (person("Anna", "Berg", emails=("a@x.de", "anna@berg.example")),
         person("Anna", "Berg", email="ANNA@berg.example")),
        (person("John Richter", "Doe", email="jd@doe.example", company="Doe GmbH"),
         person("John", "Doe", email="jd@doe.example", company="Doe GmbH")),
        # The same folded name at the same company, nothing contradicting.
        (person("Zhanibek", "Nurlanov", company=TAZA), person("Жанибек", "Нурланов", company=TAZA)),
        (person("Thomas", "Weber", company=SIEMENS, email="tw@siemens.example"),
         person("Thomas", "Weber", company=SIEMENS)),
        # The same folded name and a phone written another way (E.164 and as written).
        (person("Felix", "Hofmann", phone="+498998328750"),
         person("Hofmann", "Felix", phone="089/98328750")),
    ],
)  # fmt: skip
def test_the_same_person(a: Candidate, b: Candidate) -> None:
    found = score(a, b)
    assert found is not None and found.same, found


@pytest.mark.parametrize(
    ("a", "b", "listed"),
    [
        # The namesakes: the same name and company, different emails.
        (person("Alexander", "Schmidt", company=SIEMENS, email="a.schmidt@siemens.example"),
         person("Alexander", "Schmidt", company=SIEMENS,
                email="alexander.schmidt2@siemens.example"), True),
        # A married name: the same mailbox and first name.
        (person("Anna", "Berg", email="anna@x.example"),
         person("Anna", "Lang", email="anna@x.example"), True),
        # A typo in the surname, supported by the company only.
        (person("Andrea", "Voigt", company=SIEMENS), person("Andrea", "Vogit", company=SIEMENS),
         True),
        # Father and son: the same name and company, different birthdays.
        (person("Hans", "Meier", company=SIEMENS, birthday="1950-03-01", email="h@x.example"),
         person("Hans", "Meier", company=SIEMENS, birthday="1980-07-09", email="j@x.example"),
         False),
        # A shared office mailbox with different people.
        (person("Hans", "Meier", email="info@lippe.example"),
         person("Petra", "Schulz", email="info@lippe.example"), False),
        # Numbered test names share a test address.
        (person("Test1", "Müller", email="test@x.example", company=SIEMENS),
         person("Test2", "Müller", email="test@x.example", company=SIEMENS), False),
    ],
)  # fmt: skip
def test_possibly_the_same_is_never_the_same(a: Candidate, b: Candidate, listed: bool) -> None:
    found = score(a, b)
    assert found is None or not found.same, found
    assert (found is not None and found.score >= THRESHOLD) == listed, found


def test_birthday_without_year_and_phone_keys() -> None:
    from greentech_cli.services.identity.matcher import _birthdays_differ, _phone_key

    assert not _birthdays_differ("--05-17", "1980-05-17")
    assert _birthdays_differ("1980-05-17", "1981-05-17")
    assert _birthdays_differ("--05-17", "--05-18")
    assert _phone_key("+7 727 6803136") == _phone_key("8 (727) 680-31-36")
    assert _phone_key("12-34") is None
