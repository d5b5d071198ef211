"""cafes.calendrier's public holidays against the ``holidays`` package (a dev dependency only:
the app computes its eleven days itself rather than depend on a package for them)."""

import holidays
import pytest

from cafes.calendrier import jours_feries


@pytest.mark.parametrize("annee", range(2020, 2041))
def test_public_holidays_match_the_holidays_package(annee):
    # Metropolitan France: no subdivision, so no Alsace-Moselle days (Good Friday, 26 December).
    assert jours_feries(annee) == set(holidays.France(years=annee))
