import pytest

from commun.texte import replier


@pytest.mark.parametrize(
    ("texte", "replie"),
    [
        ("École", "ecole"),
        ("ÉCOLE ÉLÉMENTAIRE", "ecole elementaire"),
        ("Cœur de quartier", "coeur de quartier"),
        ("Ægidius", "aegidius"),
        ("Straße", "strasse"),
        ("L’Escale « solidaire »", "l’escale « solidaire »"),
        ("ﬁnances", "finances"),
        ("", ""),
        (None, ""),
    ],
)
def test_folds_accents_case_and_ligatures_only(texte, replie):
    assert replier(texte) == replie
