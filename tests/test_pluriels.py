"""French plurals: 0 takes the singular, which gettext only knows from a catalogue."""

from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation


def test_the_committed_catalogue_holds_every_plural_string_of_the_sources():
    # Fails after a plural string is added or changed: run ``python manage.py pluriels``.
    call_command("pluriels", check=True)


def test_zero_and_one_take_the_singular_two_the_plural():
    gabarit = Template(
        "{% load i18n %}{% blocktranslate count nb=n %}{{ nb }} présent{% plural %}"
        "{{ nb }} présents{% endblocktranslate %}"
    )
    with translation.override("fr-fr"):
        rendus = [gabarit.render(Context({"n": n})) for n in (0, 1, 2)]
    assert rendus == ["0 présent", "1 présent", "2 présents"]
