"""Option values converted without pydantic: the same values and the same usage errors."""

from __future__ import annotations

from typing import Any

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


def test_any_failure_while_installing_leaves_typer_as_it_was(
    monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """Not only a missing module: whatever install() raises, Typer keeps its own conversion."""
    from typer import core as typer_core

    from greentech_cli.cli import app as app_module
    from greentech_cli.cli import coercion

    def broken_install() -> None:
        raise RuntimeError("a Typer internal behaves differently")

    monkeypatch.setattr(typer_core._TyperParameter, "get_runtime_param", _typer_own_runtime_param)
    monkeypatch.setattr(coercion, "install", broken_install)
    app_module._install_plain_coercion()  # returns quietly
    assert typer_core._TyperParameter.get_runtime_param is _typer_own_runtime_param
    cli.ok("init")
    cli.ok("company", "add", "Lippe Recycling GmbH", "--lat", "51.6")
    assert cli.json("company", "show", "1")["lat"] == 51.6


def _typer_own_runtime_param(self: Any) -> Any:
    """Typer 0.29's get_runtime_param, as it is before the patch."""
    from typer._coercion import build_runtime_param

    if self._runtime_param is None:
        self._runtime_param = build_runtime_param(self.type_descriptor)
    return self._runtime_param


def test_a_typer_calling_the_patched_function_differently_still_runs_commands(
    monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """A later Typer that passes `ctx` to get_runtime_param: the patch steps aside at call time.

    Our replacement does not take the new argument (TypeError inside it); it must hand the call
    to Typer's original, so every option is still converted, by Typer's own (pydantic) way.
    """
    import sys

    from typer import core as typer_core
    from typer._coercion import build_runtime_param

    from greentech_cli.cli import app as app_module

    typer_calls: list[Any] = []

    def get_runtime_param(self: Any, ctx: Any) -> Any:  # the changed internal: ctx is required
        typer_calls.append(ctx)
        if self._runtime_param is None:
            self._runtime_param = build_runtime_param(self.type_descriptor)
        return self._runtime_param

    def process_value(self: Any, ctx: Any, value: Any) -> Any:  # 0.29's, passing ctx along
        if not (self.type_descriptor.annotation is bool and isinstance(value, bool)):
            runtime_param = self.get_runtime_param(ctx)
            assert type(runtime_param).__name__ != "PlainParam"
            value = runtime_param.coerce(value, param=self, ctx=ctx)
        if self.required and self.value_is_missing(value):
            raise typer_core._click.exceptions.MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    monkeypatch.setattr(typer_core._TyperParameter, "get_runtime_param", get_runtime_param)
    monkeypatch.setattr(typer_core._TyperParameter, "process_value", process_value)
    # The CLI loads against this Typer: the patch is imported and installed afresh.
    monkeypatch.delitem(sys.modules, "greentech_cli.cli.coercion")
    app_module._install_plain_coercion()
    assert typer_core._TyperParameter.get_runtime_param is not get_runtime_param  # patched

    cli.ok("init")
    cli.ok("company", "add", "Lippe Recycling GmbH", "--lat", "51.6", "--lon", "7.5")
    assert cli.json("company", "show", "1")["lat"] == 51.6
    assert cli.json("company", "list", "--limit", "0") == []
    cli.ok("contact", "add", "--first", "A", "--tag", "x", "--tag", "y")
    assert cli.json("contact", "show", "1")["tags"] == ["x", "y"]
    assert cli.fails("contact", "list", "--limit", "many", code=2).stderr
    assert typer_calls  # the values went through Typer's own conversion


def test_a_failure_converting_a_value_falls_back_to_typer(
    monkeypatch: pytest.MonkeyPatch, ready: Cli
) -> None:
    """Should a ParameterInfo field we read be renamed, Typer converts the value instead."""
    from greentech_cli.cli.coercion import PlainParam

    def renamed_field(*args: Any) -> Any:
        raise AttributeError("'OptionInfo' object has no attribute 'case_sensitive'")

    monkeypatch.setattr(PlainParam, "_one", renamed_field)
    assert ready.json("company", "show", "1")["lat"] == 51.6
    assert len(ready.json("company", "list", "--limit", "0")) == 0
    assert "Invalid value" in ready.fails("contact", "list", "--limit", "many", code=2).stderr
