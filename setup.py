"""Packages: every package under greentech_cli/ is found, so a new wing cannot drop out of the
wheel; data/ at the top of the repository ships inside it as greentech_cli/data."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["greentech_cli", "greentech_cli.*"]), "greentech_cli.data"],
    package_dir={"greentech_cli.data": "data"},
)
