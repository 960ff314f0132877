"""Tests of name folding, person and company keys, first-name compatibility and search terms."""

from __future__ import annotations

import re
import sqlite3
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from greentech_cli.text.company_names import company_key, legal_form
from greentech_cli.text.fulltext import fold_query_terms, fts_match, query_term_groups, search_terms
from greentech_cli.text.names import first_names_compatible, fold, name_key, name_keys

SAME_PERSON = [
    ["Жанибек Нурланов", "Zhanibek Nurlanov", "Schanibek Nurlanow"],
    ["Müller", "Mueller", "Muller", "MÜLLER"],
    ["Jürgen", "Juergen", "Jurgen"],
    ["Weiß", "Weiss", "WEISS"],
    ["Қайрат", "Qayrat", "Kairat", "Kajrat"],
    ["Айгерим Садыкова", "Aigerim Sadykova", "Aygerim Sadykowa"],
    ["Нурлан Жаксылыков", "Nurlan Zhaksylykov", "Nurlan Schaksylykow"],
    ["Чингиз", "Chingiz", "Tschingis"],
    ["Хасанов", "Khasanov", "Chassanow", "Hasanov", "Xasanov"],
    ["Щербаков", "Shcherbakov", "Schtscherbakow"],
    ["Андреев", "Andreyev", "Andrejew", "Andreev"],
    ["Евгений", "Yevgeniy", "Jewgeni", "Evgeny"],
    ["Юлия", "Yuliya", "Julia", "Yulia"],
    ["Яков", "Yakov", "Jakow", "Iakov"],
    ["Ильин", "Ilyin", "Iljin", "Il'in"],
    ["Сергей", "Sergey", "Sergej", "Sergei"],
    ["Иванов", "Iwanow", "Ivanoff"],
    ["Лебедев", "Lebedew", "Lebedeff"],
    ["Цой", "Tsoi", "Zoi", "Tsoy"],
    ["Ғафур", "G'afur", "Gʻafur", "Ghafur", "Ğafur"],
    ["Schäfer", "Schaefer", "Schafer"],
]

DIFFERENT = [
    ("Olga", "Oleg"),
    ("Ivanova", "Ivanov"),
    ("Anna", "Hanna"),
    ("Petra Schäfer", "Peter Schäfer"),
    ("Nurlanova", "Nurlanov"),
    ("Alexander", "Alexandra"),
    ("Ivan", "Ivana"),
]


@pytest.mark.parametrize("spellings", SAME_PERSON, ids=lambda group: group[0])
def test_spellings_of_one_name_share_a_key(spellings: list[str]) -> None:
    assert len({fold(spelling) for spelling in spellings}) == 1, [fold(s) for s in spellings]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_fold_output_is_lowercase_ascii_words() -> None:
    assert fold("  Hans-Peter  O'Brien, Dr.  ") == "hans peter obrien dr"
    assert fold("") == ""
    assert fold("123 !!") == ""


def test_fold_uses_anyascii_for_other_scripts() -> None:
    assert fold("Ελένη") == fold("Eleni")
    assert re.fullmatch(r"[a-z ]+", fold("北京 Ørsted Łódź"))


def test_name_key_ignores_order_and_script() -> None:
    key = name_key("Zhanibek", "Nurlanov")
    assert key == name_key("Nurlanov", "Zhanibek")
    assert key == name_key("Schanibek", "Nurlanow")
    assert key == name_key(None, None, "Жанибек Нурланов")
    assert key == name_key("", "", "Нурланов Жанибек")


def test_name_key_prefers_latin_name_over_native() -> None:
    assert name_key("Zhanibek", "Nurlanov", "Something Else") == name_key("Zhanibek", "Nurlanov")
    assert name_key(None, None, None) == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Petra", "Schäfer"), ("Peter", "Schäfer")),
        (("Ivan", "Ivanova"), ("Ivan", "Ivanov")),
        (("Anna", "Weber"), ("Hanna", "Weber")),
        (("Olga", "Petrova"), ("Oleg", "Petrova")),
    ],
)
def test_name_key_keeps_different_people_apart(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert name_key(*a) != name_key(*b)


def test_name_keys_cover_latin_native_and_patronymic() -> None:
    keys = name_keys("Zhanibek", "Nurlanov", "Нурланов Жанибек Серикович")
    assert name_key("Zhanibek", "Nurlanov") in keys
    assert name_keys("Schanibek", "Nurlanow") & keys
    assert name_keys(None, None, "Жанибек Нурланов") & keys


def test_name_keys_read_initial_j_as_zh() -> None:
    assert name_keys("Janibek", "Nurlanov") & name_keys(None, None, "Жанибек Нурланов")
    assert name_keys("Jamshid", "Karimov") & name_keys("Dzhamshid", "Karimov")


@pytest.mark.parametrize(
    ("latin", "native"),
    [
        (("Sanjar", "Alimov"), "Санжар Алимов"),  # Uzbek J is Ж
        (("Farrux", "Raximov"), "Фаррух Рахимов"),  # Uzbek X is Х
        (("Fjodor", "Lebedew"), "Фёдор Лебедев"),  # Ё as jo
        (("Fedor", "Lebedev"), "Фёдор Лебедев"),  # Ё as e
        (("Utkir", "Alimow"), "Ўткир Алимов"),  # Ў as u
        (("Oʻtkir", "Alimov"), "Ўткир Алимов"),  # Ў as oʻ
        (("Ulugbek", "Schurajew"), "Жўраев Улуғбек Нодир ўғли"),  # with an Uzbek patronymic
    ],
)
def test_name_keys_try_both_readings_of_ambiguous_letters(
    latin: tuple[str, str], native: str
) -> None:
    assert name_keys(*latin) & name_keys(None, None, native)
    assert first_names_compatible(latin[0], native.split()[0]) or "ўғли" in native


def test_fold_reads_ambiguous_letters_one_way() -> None:
    assert fold("Alexander") == fold("Aleksander")
    assert fold("Oxana") == fold("Oksana")
    assert fold("Baxtiyor") == fold("Bakhtiyor")
    assert name_keys("Baxtiyor", "Alimov") & name_keys(None, None, "Бахтиёр Алимов")
    assert fold("Shuxrat") == fold("Шухрат")
    assert fold("Farrux") == fold("Farrukh")
    assert fold("Felix") == fold("Feliks")
    assert fold("Merujert") == fold("Meruert") == fold("Меруерт")
    assert fold("Maier") != fold("Mayer".replace("y", "e"))


def test_name_keys_of_nothing_is_empty() -> None:
    assert name_keys(None, None, None) == set()
    assert name_keys("", " ", "") == set()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lippe Recycling GmbH", "LIPPE RECYCLING"),
        ("Lippe Recycling GmbH", "Lippe-Recycling G.m.b.H."),
        ("Lippe Recycling GmbH", "Lippe Recycling GmbH & Co. KG"),
        ("ТОО «Алматы Таза»", "TOO Almaty Taza"),
        ("ТОО «Алматы Таза»", "Almaty Taza LLP"),
        ('TOO "Almaty Taza"', "„Almaty Taza“ TOO"),
        ("Müller Umwelttechnik GmbH u. Co. KG", "Mueller Umwelttechnik"),
        ("Stadtentwässerung Düsseldorf AöR", "Stadtentwaesserung Duesseldorf"),
        ("Toza Hudud MChJ", "МЧЖ «Toza Hudud»"),
        ("ООО «Экосервис»", "OOO Ekoservis"),
        ("Grüne Liga e.V.", "Gruene Liga"),
        ("Wasserwerk Neuss UG (haftungsbeschränkt)", "Wasserwerk Neuss"),
        ("KazWater JSC", "АО KazWater"),
        ("Müller & Co.", "Müller"),
        ("Acme Ltd.", "ACME Inc."),
    ],
)
def test_company_key_ignores_legal_forms_case_and_punctuation(a: str, b: str) -> None:
    assert company_key(a) == company_key(b)


def test_company_key_keeps_digits_and_never_empties_a_name() -> None:
    assert company_key("H2 Mobility GmbH") == "h2 mobiliti"
    assert company_key("AO") == "ao"
    assert company_key("Eco AG") != company_key("Eko Solar AG")


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Lippe Recycling GmbH", "GmbH"),
        ("Lippe Recycling gGmbH", "gGmbH"),
        ("Müller Umwelttechnik GmbH & Co. KG", "GmbH & Co. KG"),
        ("Müller Umwelttechnik GmbH + Co KG", "GmbH & Co. KG"),
        ("Rheinwasser AG", "AG"),
        ("Grüne Liga e. V.", "e.V."),
        ("Stadtwerke Moers AöR", "AöR"),
        ("Gründer UG (haftungsbeschränkt)", "UG (haftungsbeschränkt)"),
        ("ТОО «Алматы Таза»", "TOO"),
        ("TOO Almaty Taza", "TOO"),
        ("Almaty Taza LLP", "LLP"),
        ("ООО «Экосервис»", "OOO"),
        ("Toza Hudud MChJ", "MChJ"),
        ("ИП Нурланов", "IP"),
        ("KazWater JSC", "JSC"),
        ("Lippe Recycling", None),
    ],
)
def test_legal_form(name: str, form: str | None) -> None:
    assert legal_form(name) == form


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jürgen", "Jurgen"),
        ("J.", "Jürgen"),
        ("J", "Juergen"),
        ("Ж.", "Zhanibek"),
        ("J.", "Zhanibek"),
        ("Y.", "Julia"),
        ("Ch.", "Christian"),
        ("H.-P.", "Hans-Peter"),
        ("Hans", "Hans-Peter"),
        ("Sascha", "Alexander"),
        ("Sasha", "Alexandra"),
        ("Dima", "Dmitriy"),
        ("Katja", "Ekaterina"),
        ("Hans", "Johannes"),
        ("Жанибек", "Schanibek"),
        ("", "Anyone"),
    ],
)
def test_first_names_compatible(a: str, b: str) -> None:
    assert first_names_compatible(a, b)
    assert first_names_compatible(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Olga", "Oleg"),
        ("Ivan", "Ivana"),
        ("Alexander", "Alexandra"),
        ("Petra", "Peter"),
        ("Ulrich", "Ulrike"),
        ("Hans", "Peter"),
        ("J.", "Peter"),
        ("Anna", "Hanna"),
    ],
)
def test_first_names_incompatible(a: str, b: str) -> None:
    assert not first_names_compatible(a, b)
    assert not first_names_compatible(b, a)


def _index_matches(record: str, query: str) -> bool:
    """Whether a record indexed with search_terms is found by a query through fts_match."""
    with sqlite3.connect(":memory:") as connection:
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize='unicode61')")
        connection.execute("INSERT INTO t VALUES (?)", (" ".join(search_terms(record)),))
        rows = connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts_match(query),))
        return bool(rows.fetchone()[0])


@pytest.mark.parametrize(
    ("record", "query"),
    [
        ("Jürgen Weiß", "Jurgen"),
        ("Jürgen Weiß", "Juergen"),
        ("Jürgen Weiß", "Jürgen"),
        ("Jürgen Weiß", "weiss"),
        ("Jürgen Weiß", "jürg wei"),
        ("Қайрат Әбдірахманов", "Qayrat"),
        ("Қайрат Әбдірахманов", "Kairat"),
        ("Қайрат Әбдірахманов", "Abdirakhmanov"),
        ("Жанибек Нурланов", "Schanibek"),
        ("Жанибек Нурланов", "Zhanibek Nurlanow"),
        ("Жанибек Нурланов", "Janibek"),
        ("Janibek Nurlanov", "Zhanibek"),
        ("Kreislaufwirtschaft Lünen", "Kreisl"),
        ("Kreislaufwirtschaft Lünen", "Kreislaufwirts"),
        ("Wirtschaftsbetriebe Lünen", "Wirts luenen"),
        ("H2 Mobility", "h2"),
        ("a.b@example.de", "a.b@example.de"),
    ],
)
def test_search_terms_meet_query(record: str, query: str) -> None:
    assert _index_matches(record, query), (search_terms(record), fts_match(query))


@pytest.mark.parametrize(
    ("record", "query"),
    [("Jürgen Weiß", "Peter"), ("Anna Weber", "Hanna"), ("Olga Petrova", "Oleg")],
)
def test_search_terms_do_not_meet_other_names(record: str, query: str) -> None:
    assert not _index_matches(record, query)


def test_query_folding_is_the_index_folding() -> None:
    assert fold_query_terms("Jürgen Nurlanow") == fold("Jürgen Nurlanow").split()
    assert query_term_groups("Jürgen")[0][:2] == ("iurgen", "jurgen")
    assert fts_match("") == ""
    # FTS5 syntax in user text stays inert.
    assert _index_matches('NEAR "x" OR', 'NEAR "x" OR') is True


# --- properties ----------------------------------------------------------------------------------

ANY_TEXT = st.text(max_size=40)
NAME_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzäöüßABCXYZ -.'")
        + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіўҳ")
        + ["Ä", "Ö", "Ü", "Ж", "Ч", "Щ", "Қ", "\u0308", "ẞ", "ı", "ğ", "ʻ"]
    ),
    max_size=30,
)


@given(st.one_of(ANY_TEXT, NAME_TEXT))
@settings(max_examples=400)
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert re.fullmatch(r"(?:[a-z]+(?: [a-z]+)*)?", folded)


@given(st.one_of(ANY_TEXT, NAME_TEXT))
@settings(max_examples=300)
def test_fold_same_for_nfc_and_nfd(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert fold(nfc) == fold(nfd)


@given(NAME_TEXT, NAME_TEXT)
def test_name_key_is_order_independent(first: str, last: str) -> None:
    assert name_key(first, last) == name_key(last, first)
    assert name_key(first, last) in name_keys(first, last) or not name_key(first, last)


COMPANY_WORD = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrsuvwxyzäöü")), min_size=3)


@given(
    st.lists(COMPANY_WORD, min_size=1, max_size=3),
    st.sampled_from(
        ["GmbH", "G.m.b.H.", "AG", "GmbH & Co. KG", "e.V.", "TOO", "LLP", "ООО", "JSC", "МЧЖ"]
    ),
    st.booleans(),
)
def test_company_key_ignores_case_and_legal_forms(
    words: list[str], form: str, in_front: bool
) -> None:
    # A name made of legal-form words ("Kdor", "Too Ooo") has no one right reading; leave it out.
    assume(not any(legal_form(f"x {word}") or legal_form(f"{word} x") for word in words))
    name = " ".join(words)
    with_form = f"{form} {name}" if in_front else f"{name} {form}"
    assert company_key(with_form) == company_key(name)
    assert company_key(name.upper()) == company_key(name)
    assert company_key(name.title()) == company_key(name)


@given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_nothing_raises_on_arbitrary_text(a: str, b: str, c: str) -> None:
    fold(a)
    name_key(a, b, c)
    name_keys(a, b, c)
    company_key(a)
    legal_form(a)
    first_names_compatible(a, b)
    assert all(re.fullmatch(r"[a-z0-9]+", term) for term in search_terms(a))
    assert all(re.fullmatch(r"[a-z0-9]+", t) for group in query_term_groups(a) for t in group)
    fts_match(a)


def test_uzbek_cyrillic_joint_stock_company_is_a_legal_form() -> None:
    assert company_key("АЖ «Toshkent Tosa»") == company_key("Toshkent Tosa AJ")
    assert legal_form("АЖ Toshkent Tosa") == "AJ"
