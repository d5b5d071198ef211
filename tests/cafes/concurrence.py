"""Running service calls at the same moment, each on its own database connection (tests marked
``django_db(transaction=True)``, on PostgreSQL: row locks are what they check)."""

import threading

import pytest
from django.db import connection


def en_meme_temps(*fonctions):
    """Calls each of ``fonctions`` in its own thread, all released together; returns their
    results in order, or raises the first exception one of them raised."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL.")
    depart = threading.Barrier(len(fonctions))
    resultats, erreurs = [None] * len(fonctions), []

    def lancer(i, fonction):
        try:
            depart.wait()
            resultats[i] = fonction()
        except Exception as exc:  # collected: an exception in a thread would be lost
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=lancer, args=item) for item in enumerate(fonctions)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    if erreurs:
        raise erreurs[0]
    return resultats
