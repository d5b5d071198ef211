"""reseau.jetons: the signed, single-purpose, expiring tokens of partners' links."""

import datetime

import pytest
import time_machine
from django.core import signing

from reseau.jetons import JetonExpire, JetonInvalide, jeton_creer, jeton_verifier

MAINTENANT = datetime.datetime(2025, 3, 14, 9, 30, tzinfo=datetime.UTC)
EXPIRE_LE = MAINTENANT + datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def _maintenant():
    with time_machine.travel(MAINTENANT, tick=False):
        yield


def test_round_trip():
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    assert jeton_verifier(jeton, usage="partenariats.fiche") == 42


def test_url_safe_and_stable():
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    assert "/" not in jeton and "?" not in jeton and "#" not in jeton
    assert jeton == jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)


def test_other_usage_is_refused():
    jeton = jeton_creer(usage="cafes.invitation", pk=42, expire_le=EXPIRE_LE)
    with pytest.raises(JetonInvalide) as erreur:
        jeton_verifier(jeton, usage="partenariats.fiche")
    assert not isinstance(erreur.value, JetonExpire)


def test_a_payload_claiming_the_usage_is_refused_under_another_salt():
    # Same payload as a genuine fiche token, signed for another usage: the salt decides.
    jeton = signing.Signer(salt="maillage.jeton:cafes.invitation").sign_object(
        {"u": "partenariats.fiche", "id": 42, "exp": int(EXPIRE_LE.timestamp())}
    )
    with pytest.raises(JetonInvalide):
        jeton_verifier(jeton, usage="partenariats.fiche")


def test_other_object_cannot_be_swapped_in():
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    autre = jeton_creer(usage="partenariats.fiche", pk=43, expire_le=EXPIRE_LE)
    contenu, signature = jeton.rsplit(":", 1)
    contenu_autre, _signature = autre.rsplit(":", 1)
    with pytest.raises(JetonInvalide):
        jeton_verifier(f"{contenu_autre}:{signature}", usage="partenariats.fiche")
    assert jeton_verifier(autre, usage="partenariats.fiche") == 43


@pytest.mark.parametrize(
    "alterer",
    [
        lambda j: j[:-1] + ("A" if j[-1] != "A" else "B"),
        lambda j: j[:-5],
        lambda j: "x" + j,
        lambda j: "",
        lambda j: "pas-un-jeton",
    ],
    ids=["last-char", "truncated", "prefixed", "empty", "garbage"],
)
def test_tampered_is_refused(alterer):
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    with pytest.raises(JetonInvalide):
        jeton_verifier(alterer(jeton), usage="partenariats.fiche")


def test_expired_says_so_with_the_object(time_machine):
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    time_machine.move_to(EXPIRE_LE - datetime.timedelta(seconds=1), tick=False)
    assert jeton_verifier(jeton, usage="partenariats.fiche") == 42
    time_machine.move_to(EXPIRE_LE, tick=False)
    with pytest.raises(JetonExpire) as erreur:
        jeton_verifier(jeton, usage="partenariats.fiche")
    assert erreur.value.pk == 42
    assert erreur.value.expire_le == EXPIRE_LE


def test_expiry_cannot_be_extended_by_hand():
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    plus_tard = jeton_creer(
        usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE + datetime.timedelta(days=365)
    )
    _contenu, signature = jeton.rsplit(":", 1)
    contenu_plus_tard, _signature = plus_tard.rsplit(":", 1)
    with pytest.raises(JetonInvalide):
        jeton_verifier(f"{contenu_plus_tard}:{signature}", usage="partenariats.fiche")


def test_another_secret_key_invalidates(settings):
    jeton = jeton_creer(usage="partenariats.fiche", pk=42, expire_le=EXPIRE_LE)
    ancienne = settings.SECRET_KEY
    settings.SECRET_KEY = "une-autre-cle-" * 4
    with pytest.raises(JetonInvalide):
        jeton_verifier(jeton, usage="partenariats.fiche")
    # A rotated key kept as a fallback keeps the links already sent working.
    settings.SECRET_KEY_FALLBACKS = [ancienne]
    assert jeton_verifier(jeton, usage="partenariats.fiche") == 42


def test_naive_expiry_is_a_programming_error():
    with pytest.raises(ValueError):
        jeton_creer(usage="partenariats.fiche", pk=1, expire_le=datetime.datetime(2025, 4, 1))
