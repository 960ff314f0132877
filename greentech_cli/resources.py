"""Finding the data files shipped with greentech, installed as a wheel or run from a checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def data_root() -> Path:
    """The data folder: `greentech_cli/data` in an installed wheel, `data/` in a checkout."""
    packaged = Path(__file__).parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "data"


def data_path(*parts: str) -> Path:
    """A path inside the data folder."""
    return data_root().joinpath(*parts)


@lru_cache(maxsize=32)
def load_yaml(*parts: str) -> Any:
    """A shipped YAML data file, parsed once per process."""
    import yaml

    with data_path(*parts).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
