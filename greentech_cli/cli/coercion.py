"""Plain conversion of option values, so a command does not load pydantic to read `--limit 50`.

Typer 0.29 converts every parameter through a pydantic TypeAdapter; importing pydantic and
building the adapters costs more than a whole `greentech search` may take. The parameters
greentech declares are only str, int, float, bool, Path, Enum and list[str]: those are
converted here, with the same errors (exit code 2); anything else still goes through Typer.

The patch leans on Typer's private internals, so every step falls back to Typer's own conversion
on any exception: building the runtime parameter (say a release calls `get_runtime_param` with a
new argument) and converting a value (say a ParameterInfo field is renamed). Only a usage error
(a value the user got wrong) is passed on as it is.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from typer import core as typer_core
from typer._click.exceptions import BadParameter, ClickException
from typer._coercion import RuntimeParam, build_runtime_param

_original_runtime_param = typer_core._TyperParameter.get_runtime_param


class PlainParam(RuntimeParam):
    """Conversion of one parameter without pydantic."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return self._plain_value(value, param, ctx)
        except ClickException:
            raise  # the user's value is wrong: the same usage error Typer would give
        except Exception:
            # Something in Typer moved under us: let Typer convert this value its own way.
            typer_param = build_runtime_param(param.type_descriptor)
            return typer_param._coerce_value(value, param=param, ctx=ctx)

    def _plain_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if get_origin(self.annotation) is list:
            (item_type,) = get_args(self.annotation)
            return [self._one(item_type, item, param, ctx) for item in value]
        return self._one(self.annotation, value, param, ctx)

    def _one(self, kind: Any, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(kind, type) and issubclass(kind, Enum):
            return _enum(kind, value, self.parameter_info.case_sensitive, param, ctx)
        if kind is str:
            return _text(value, param, ctx)
        if kind is Path:
            return value if isinstance(value, Path) else Path(str(value))
        if kind is bool:
            return _bool(value, param, ctx)
        number = _number(kind, value, param, ctx)
        low, high = self.parameter_info.min, self.parameter_info.max
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"{low if low is not None else '…'} to {high if high is not None else '…'}"
            raise BadParameter(f"{value} is not in the range {bounds}.", ctx=ctx, param=param)
        return number


def _enum(kind: type[Enum], value: Any, case_sensitive: bool, param: Any, ctx: Any) -> Enum:
    if isinstance(value, kind):
        return value
    text = str(value)
    for member in kind:
        choice = str(member.value)
        if choice == text or (not case_sensitive and choice.lower() == text.lower()):
            return member
    choices = ", ".join(repr(str(m.value)) for m in kind)
    raise BadParameter(f"{text!r} is not one of {choices}.", ctx=ctx, param=param)


def _bool(value: Any, param: Any, ctx: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    raise BadParameter(f"{value!r} is not a valid boolean.", ctx=ctx, param=param)


# The largest whole number the database stores (SQLite's 64-bit INTEGER): any id, count or limit
# beyond it is a mistyped value, not a request to be passed on.
LARGEST_INTEGER = 2**63 - 1


def _text(value: Any, param: Any, ctx: Any) -> str:
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Python keeps an argument's bytes that are not UTF-8 as lone surrogates (surrogateescape).
        shown = ascii(text.encode("utf-8", "surrogateescape"))[1:]
        raise BadParameter(
            f"{shown} is not UTF-8 text; set the terminal or the script to UTF-8.",
            ctx=ctx,
            param=param,
        ) from None
    return text


def _number(kind: Any, value: Any, param: Any, ctx: Any) -> Any:
    if isinstance(value, kind) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = kind(str(value).strip())
        except (TypeError, ValueError):
            label = "integer" if kind is int else "number"
            raise BadParameter(f"{value!r} is not a valid {label}.", ctx=ctx, param=param) from None
    if kind is int and abs(number) > LARGEST_INTEGER:
        raise BadParameter(
            f"{value} is too large (at most {LARGEST_INTEGER:,}).", ctx=ctx, param=param
        )
    return number


def _plain(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and _plain(args[0])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return True
    return annotation in (str, int, float, bool, Path)


def _plain_runtime_param(self: Any) -> RuntimeParam | None:
    """A PlainParam for a plain annotation (cached on the parameter like Typer's), else None."""
    descriptor = self.type_descriptor
    plain = descriptor.file_annotation is None and _plain(descriptor.annotation)
    if self._runtime_param is None and plain:
        self._runtime_param = PlainParam(
            annotation=descriptor.annotation, parameter_info=descriptor.parameter_info
        )
    runtime_param: RuntimeParam | None = self._runtime_param
    return runtime_param


def _runtime_param(self: Any, *args: Any, **kwargs: Any) -> RuntimeParam:
    """Typer's get_runtime_param, plain where possible; Typer's own on any surprise.

    Arguments a later Typer may pass are not understood here: they raise TypeError in
    `_plain_runtime_param`, and Typer's original gets the call as it was made.
    """
    try:
        runtime_param = _plain_runtime_param(self, *args, **kwargs)
    except Exception:
        runtime_param = None
    if runtime_param is None:
        return _original_runtime_param(self, *args, **kwargs)
    return runtime_param


def install() -> None:
    """Use plain conversion for greentech's parameters (called once, when the CLI loads)."""
    typer_core._TyperParameter.get_runtime_param = _runtime_param  # type: ignore[method-assign]
