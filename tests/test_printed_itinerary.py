"""The printed itinerary (HTML for A4): page numbers, the print date, phone numbers on one line."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from greentech_cli.exporters.itinerary_pages import css_string, print_day, unbroken_phones
from greentech_cli.resources import data_path

CODE = "kz-waste-demo"


@pytest.fixture
def demo(cli: Any) -> Any:
    cli.ok("programme", "apply", str(data_path("demo", "programme.yaml")))
    return cli


def test_printed_page_has_page_numbers_and_the_print_date(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    page = demo.ok("itinerary", CODE, "--format", "html", "--lang", "de").stdout
    today = f"{date.today():%d.%m.%Y}"
    # In every page's margin (CSS paged media) and under the heading.
    assert re.search(r'@bottom-right \{\s*content: "Seite" " " counter\(page\) " / " '
                     r"counter\(pages\);", page)  # fmt: skip
    assert f'@bottom-left {{ content: "Gedruckt am {today}";' in page
    assert f'<p class="printed">Gedruckt am {today}</p>' in page


def test_print_date_in_both_languages_and_reproducible(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1794657600")
    assert print_day() == date(2026, 11, 14)
    page = demo.ok("itinerary", CODE, "--format", "html", "--lang", "de+ru").stdout
    assert '<p class="printed">Gedruckt am 14.11.2026 / Напечатано 14 ноября 2026 г.</p>' in page
    assert '"Seite / Стр." " " counter(page)' in page


def test_phone_numbers_do_not_break(demo: Any) -> None:
    page = demo.ok("itinerary", CODE, "--format", "html", "--lang", "en").stdout
    assert ".number { white-space: nowrap; }" in page
    assert 'Host: Mehmet Yılmaz, <span class="number">+49 201 5554400</span>' in page


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Katrin, +49 160 5557211", 'Katrin, <span class="number">+49 160 5557211</span>'),
        ("call 0211 3557-0 <b>", 'call <span class="number">0211 3557-0</span> &lt;b&gt;'),
        ("(030) 123 456", '<span class="number">(030) 123 456</span>'),
        ("Bus 12, Tisch 2", "Bus 12, Tisch 2"),
    ],
)
def test_unbroken_phones(text: str, html: str) -> None:
    assert str(unbroken_phones(text)) == html


def test_css_string_cannot_leave_its_quotes() -> None:
    assert str(css_string('a"b\\c</style>')) == '"a\\22 b\\5c c\\3c /style\\3e "'
    assert str(css_string("Seite / Стр.")) == '"Seite / Стр."'
