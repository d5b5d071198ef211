"""Writes of the partner directory, one module per feature: ``annuaire`` (fiches),
``importation`` (partners from a file), ``demandes`` (fiche update requests) and ``livret``
(the printed booklet). Views and tasks call these; they never import views."""
