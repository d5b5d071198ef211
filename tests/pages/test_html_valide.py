"""Every page of the demo is valid HTML, for the Nu HTML Checker (vnu).

vnu runs offline on Java; scripts/test installs both (default-jre-headless through apt, the
vnu-jar package from npm into node_modules/). One JVM checks every page at once: starting it
costs more than checking a page.
"""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.pages.demo import comptes_demo, demo_charger, pages

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_erreurs(fichiers):
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: scripts/test installs it (npm install vnu-jar).")
    resultat = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, fichiers)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # vnu writes its JSON report on stderr, exit status 1 when it found an error.
    return [m for m in json.loads(resultat.stderr)["messages"] if m["type"] == "error"]


def test_vnu_finds_an_error(tmp_path):
    # Guards the guard: the checker really runs and reports what the pages once had.
    page = tmp_path / "page.html"
    page.write_text(
        '<!doctype html><html lang="fr"><title>t</title>'
        '<time datetime="2026-12-01T17:23:22.123456+01:00">hier</time>'
        '<input type="text" type="email" name="username">'
    )
    messages = " ".join(m["message"] for m in vnu_erreurs([page]))
    assert "datetime" in messages
    assert "Duplicate attribute" in messages


@pytest.mark.django_db
def test_every_demo_page_is_valid_html(tmp_path):
    demo_charger()
    fichiers = {}
    for user, depart in comptes_demo():
        for url, html in pages(user, depart):
            fichier = tmp_path / f"{len(fichiers):03}.html"
            fichier.write_text(html)
            fichiers[fichier.name] = f"{user.email if user else 'anonyme'} {url}"
    assert len(fichiers) > 50
    erreurs = vnu_erreurs([tmp_path / nom for nom in fichiers])
    lignes = []
    for m in erreurs:
        page = fichiers.get(m.get("url", "").rpartition("/")[2], m.get("url"))
        lignes.append(f"{page}, line {m.get('lastLine')}: {m['message']}")
        lignes.append(f"    {m.get('extract', '').strip()}")
    rapport = "\n".join(lignes)
    assert erreurs == [], f"{len(erreurs)} HTML errors:\n{rapport}"
