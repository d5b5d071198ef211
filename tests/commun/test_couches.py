"""commun is the bottom layer: every app may import it, it imports no app."""

import ast
from pathlib import Path

import commun

APPS = {
    "maillage",
    "reseau",
    "courrier",
    "partenariats",
    "cafes",
    "orientations",
    "instances",
    "tableaux",
    "bench",
}


def test_commun_imports_no_app_of_the_project():
    importes = set()
    for module in Path(commun.__file__).parent.glob("**/*.py"):
        for noeud in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            if isinstance(noeud, ast.Import):
                importes |= {alias.name.split(".")[0] for alias in noeud.names}
            elif isinstance(noeud, ast.ImportFrom) and noeud.module:
                importes.add(noeud.module.split(".")[0])
    assert importes
    assert not importes & APPS
