"""The French catalogue of plural strings: ``python manage.py pluriels [--check]``.

Maillage's source strings are French, so it needs no translation, except for one thing:
gettext only knows a language's plural rule from a catalogue. A plural string missing from
every catalogue gets the English rule (n != 1), which says "0 présents" where French says
"0 présent" (0 takes the singular). This command writes locale/fr/LC_MESSAGES/django.po with
the project's plural strings only, each translated by itself (msgen) under French's
Plural-Forms, and compiles it to django.mo, which is committed: serving the app needs no
gettext tools. With --check it writes nothing and fails when the committed catalogue is not
the one the sources give (a test runs it). Needs GNU gettext (xgettext, msgen, msgfmt).
"""

import gettext
import subprocess
import tempfile
from contextlib import chdir
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

ENTETE = """msgid ""
msgstr ""
"Project-Id-Version: Maillage\\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""

# Directories whose strings the app never shows.
IGNORES = [".venv", "tests", "bench", "staticfiles", "build", "node_modules"]


def catalogue_frais(po):
    """The .po text the sources give today: header plus plural entries, translated.

    makemessages writes into ``po`` itself (it puts a file's strings in the locale directory
    next to it) and would merge with what is there, keeping stale translations as fuzzy: the
    file is set aside while it runs, then put back as it was.
    """
    ancien = po.read_bytes() if po.exists() else None
    po.unlink(missing_ok=True)
    try:
        # makemessages reads the sources under the current directory.
        with chdir(settings.BASE_DIR):
            call_command(
                "makemessages",
                locale=["fr"],
                no_location=True,
                no_obsolete=True,
                ignore_patterns=IGNORES,
                verbosity=0,
            )
        extrait = po.read_text(encoding="utf-8")
    finally:
        if ancien is None:
            po.unlink(missing_ok=True)
        else:
            po.write_bytes(ancien)
    entrees = [e for e in extrait.split("\n\n") if "\nmsgid_plural " in f"\n{e}"]
    with tempfile.TemporaryDirectory() as dossier:
        pluriels = Path(dossier) / "pluriels.po"
        pluriels.write_text("\n\n".join([ENTETE, *entrees]) + "\n", encoding="utf-8")
        subprocess.run(["msgen", "-o", str(pluriels), str(pluriels)], check=True)
        return pluriels.read_text(encoding="utf-8")


def compiler(po, mo):
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


def lire_mo(chemin):
    with open(chemin, "rb") as fichier:
        return gettext.GNUTranslations(fichier)._catalog


class Command(BaseCommand):
    help = "Writes (or with --check, verifies) the French catalogue of plural strings."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Verify, write nothing.")

    def handle(self, *args, check=False, **options):
        dossier = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES"
        po, mo = dossier / "django.po", dossier / "django.mo"
        dossier.mkdir(parents=True, exist_ok=True)
        frais = catalogue_frais(po)
        if check:
            if not po.exists() or po.read_text(encoding="utf-8") != frais:
                raise CommandError(f"{po} is out of date: run python manage.py pluriels.")
            with tempfile.TemporaryDirectory() as temporaire:
                attendu = Path(temporaire) / "django.mo"
                compiler(po, attendu)
                if not mo.exists() or lire_mo(mo) != lire_mo(attendu):
                    raise CommandError(f"{mo} is out of date: run python manage.py pluriels.")
            self.stdout.write("The French catalogue of plurals is up to date.")
            return
        po.write_text(frais, encoding="utf-8")
        compiler(po, mo)
        self.stdout.write(f"Wrote {po} and {mo}.")
