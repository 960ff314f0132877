"""`--lang de` leaves no English label in the funder's report: sectors, organisation kinds and
dates are German (data such as country codes and titles stay as written)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from greentech_cli.render.report import sector_label, value_label
from greentech_cli.resources import data_path

CODE = "kz-waste-demo"


@pytest.fixture
def demo(cli: Any) -> Any:
    cli.ok("programme", "apply", str(data_path("demo", "programme.yaml")))
    return cli


def test_report_in_german_has_german_values(demo: Any) -> None:
    out = demo.ok("report", CODE, "--lang", "de").stdout
    assert "Kreislaufwirtschaft" in out and "Wasser und Abwasser" in out
    assert "circular-economy" not in out and "water " not in out
    assert "16.11.2026 – 20.11.2026" in out and "2026-11-16" not in out
    assert "Behörde" in out and "authority" not in out


def test_report_html_in_german_dates(demo: Any, tmp_path: Any) -> None:
    out = tmp_path / "bericht.html"
    demo.ok("report", "--since", "2026-01-01", "--until", "2026-12-31", "--lang", "de",
            "--format", "html", "--out", str(out))  # fmt: skip
    page = out.read_text(encoding="utf-8")
    assert "Zeitraum: 01.01.2026 – 31.12.2026" in page
    generated = page.split("Erstellt: ")[1].split("<")[0]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d UTC", generated), generated


def test_value_labels() -> None:
    assert sector_label("hydrogen", "de") == "Grüner Wasserstoff"
    assert sector_label("hydrogen", "en") == "Green hydrogen"
    assert sector_label("unknown", "de") == "unbekannt"
    assert value_label("delegates_by_kind", "ahk", "en") == "AHK"
    assert value_label("delegates_by_kind", "research", "de") == "Forschung"
