"""The import-linter contracts (pyproject.toml; scripts/test runs lint-imports) see every package.

A package missing from ``root_packages`` escapes them, and an optional layer (``orientations``,
``instances``, ``tableaux``) created but not listed there would pass unchecked.
"""

import tomllib

from django.conf import settings


def test_every_package_of_the_project_is_a_root_package_of_the_contracts():
    config = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
    racines = set(config["tool"]["importlinter"]["root_packages"])
    paquets = {init.parent.name for init in settings.BASE_DIR.glob("*/__init__.py")}
    assert paquets == racines
