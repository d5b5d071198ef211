import copy
from pathlib import Path

import pytest


@pytest.fixture
def gabarits_essai(settings):
    """Adds tests/courrier/templates, whose ``essai/avis`` email exercises the layouts."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates
    return "essai/avis"
