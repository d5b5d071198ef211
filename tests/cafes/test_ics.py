import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from cafes.enums import TypeCafe
from cafes.ics import cafe_ics
from tests.cafes.factories import CafeFactory, CafeSerieFactory
from tests.partenariats.factories import PartenaireFactory, theme

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def cafe(centre):
    serie = CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou")
    return CafeFactory(
        centre=centre,
        serie=serie,
        date=datetime.date(2026, 12, 4),
        heure_debut=datetime.time(9, 0),
        heure_fin=datetime.time(10, 30),
        hote=PartenaireFactory(centre=centre, nom="Maison des solidarités"),
        adresse="14 avenue de Montanou, 47000 Agen",
        sequence=3,
    )


def evenement(contenu):
    calendrier = Calendar.from_ical(contenu)
    (vevent,) = calendrier.walk("VEVENT")
    return calendrier, vevent


class TestCafeIcs:
    def test_publish_event(self, cafe):
        calendrier, vevent = evenement(cafe_ics(cafe))
        assert calendrier["METHOD"] == "PUBLISH"
        assert vevent["UID"] == f"{cafe.uid}@maillage"
        assert vevent["SEQUENCE"] == 3
        assert vevent["STATUS"] == "CONFIRMED"
        assert vevent["SUMMARY"] == "Café partenaires de Montanou"
        assert vevent["LOCATION"] == "14 avenue de Montanou, 47000 Agen"
        assert "Maison des solidarités" in vevent["DESCRIPTION"]
        assert "Généraliste" in vevent["DESCRIPTION"]
        assert vevent["ORGANIZER"].params["CN"] == "Centre social de Montanou"
        assert "DTSTAMP" in vevent

    def test_times_are_paris_wall_clock_with_their_timezone(self, cafe):
        calendrier, vevent = evenement(cafe_ics(cafe))
        debut, fin = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
        assert debut == datetime.datetime(2026, 12, 4, 9, 0, tzinfo=PARIS)
        assert fin == datetime.datetime(2026, 12, 4, 10, 30, tzinfo=PARIS)
        # 9:00 in Paris in winter is 8:00 UTC.
        assert debut.astimezone(datetime.UTC).hour == 8
        assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
        assert [tz["TZID"] for tz in calendrier.walk("VTIMEZONE")] == ["Europe/Paris"]

    def test_summer_time(self, cafe):
        cafe.date = datetime.date(2027, 7, 2)
        _calendrier, vevent = evenement(cafe_ics(cafe))
        assert vevent.decoded("DTSTART").astimezone(datetime.UTC).hour == 7

    def test_uid_is_stable_and_sequence_as_stored(self, cafe):
        with time_machine.travel(datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)):
            _c, avant = evenement(cafe_ics(cafe))
        cafe.sequence = 4
        cafe.heure_debut = datetime.time(9, 30)
        with time_machine.travel(datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)):
            _c, apres = evenement(cafe_ics(cafe))
        assert avant["UID"] == apres["UID"]
        assert (avant["SEQUENCE"], apres["SEQUENCE"]) == (3, 4)
        assert apres.decoded("DTSTAMP") > avant.decoded("DTSTAMP")

    def test_cancel(self, cafe):
        calendrier, vevent = evenement(cafe_ics(cafe, method="CANCEL"))
        assert calendrier["METHOD"] == "CANCEL"
        assert vevent["STATUS"] == "CANCELLED"
        assert vevent["UID"] == f"{cafe.uid}@maillage"

    def test_request_puts_the_event_back(self, cafe):
        calendrier, vevent = evenement(cafe_ics(cafe, method="REQUEST"))
        assert calendrier["METHOD"] == "REQUEST"
        assert vevent["STATUS"] == "CONFIRMED"
        assert vevent["UID"] == f"{cafe.uid}@maillage"

    def test_unknown_method_is_refused(self, cafe):
        with pytest.raises(ValueError):
            cafe_ics(cafe, method="REFRESH")

    def test_no_token_nor_personal_link(self, cafe):
        contenu = cafe_ics(cafe).decode()
        for interdit in ("jeton", "token", "reponse", "desinscription", "http"):
            assert interdit not in contenu.lower()

    def test_centre_host_and_theme(self, centre):
        logement = theme("logement")
        cafe = CafeFactory(centre=centre, type=TypeCafe.THEMATIQUE, theme=logement)
        _c, vevent = evenement(cafe_ics(cafe))
        assert f"Accueil : {centre.nom}" in vevent["DESCRIPTION"]
        assert f"Thème : {logement}" in vevent["DESCRIPTION"]
