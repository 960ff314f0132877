"""Option values converted without pydantic: the same values and the same usage errors."""

from __future__ import annotations

import pytest

from .conftest import Cli


@pytest.fixture
def ready(cli: Cli) -> Cli:
    cli.ok("init")
    cli.ok("company", "add", "Lippe Recycling GmbH", "--lat", "51.6", "--lon", "7.5")
    return cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("contact", "list", "--limit", "-1"), "range"),
        (("contact", "list", "--limit", "many"), "not a valid integer"),
        (("contact", "list", "--format", "xml"), "is not one of"),
        (("company", "add", "X", "--lat", "north"), "not a valid number"),
    ],
)
def test_bad_option_values_are_usage_errors(
    ready: Cli, args: tuple[str, ...], message: str
) -> None:
    result = ready.fails(*args, code=2)
    assert message in result.stderr


def test_values_arrive_converted(ready: Cli) -> None:
    assert ready.json("company", "show", "1")["lat"] == 51.6
    assert len(ready.json("company", "list", "--limit", "0")) == 0
    assert (
        ready.json("company", "list", "--format", "JSON".lower())[0]["name"]
        == "Lippe Recycling GmbH"
    )
    ready.ok("contact", "add", "--first", "A", "--tag", "x", "--tag", "y")
    assert ready.json("contact", "show", "1")["tags"] == ["x", "y"]


def test_a_typer_without_the_patched_internals_still_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should a Typer release move its private modules, the patch is skipped, nothing breaks."""
    import sys

    from greentech_cli.cli import app as app_module

    monkeypatch.delitem(sys.modules, "greentech_cli.cli.coercion")
    monkeypatch.setitem(sys.modules, "typer._coercion", None)  # importing it raises ImportError
    app_module._install_plain_coercion()  # returns quietly
