"""Seeds the themes, and on PostgreSQL sets up the directory's full-text search.

The search vector is kept by a trigger so that every write fills it, bulk imports included. The
text search configuration strips accents before French stemming. SQLite (first-run only) gets
neither and searches with a plain case-insensitive match.
"""

from django.db import migrations

SQL_CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION partenaire_recherche_maj() RETURNS trigger AS $$
BEGIN
    NEW.recherche :=
        setweight(to_tsvector('french_unaccent', coalesce(NEW.nom, '')), 'A')
        || setweight(to_tsvector('french_unaccent', coalesce(NEW.sigle, '')), 'A')
        || setweight(to_tsvector('french_unaccent', coalesce(NEW.missions, '')), 'B')
        || setweight(to_tsvector('french_unaccent', coalesce(NEW.services, '')), 'B')
        || setweight(to_tsvector('french_unaccent', coalesce(NEW.commune, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER partenaire_recherche_maj
    BEFORE INSERT OR UPDATE OF nom, sigle, missions, services, commune
    ON partenariats_partenaire
    FOR EACH ROW EXECUTE FUNCTION partenaire_recherche_maj();
-- fastupdate off: the directory is read far more than written, and a pending list would make
-- every search scan it until the next vacuum.
CREATE INDEX partenaire_recherche_idx ON partenariats_partenaire USING gin (recherche)
    WITH (fastupdate = off);
"""

SQL_DROP = """
DROP INDEX IF EXISTS partenaire_recherche_idx;
DROP TRIGGER IF EXISTS partenaire_recherche_maj ON partenariats_partenaire;
DROP FUNCTION IF EXISTS partenaire_recherche_maj();
"""


def recherche_creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_CREATE)


def recherche_supprimer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_DROP)


def themes_creer(apps, schema_editor):
    from partenariats.enums import themes_semer

    themes_semer(apps.get_model("partenariats", "Theme"))


class Migration(migrations.Migration):
    dependencies = [
        ("partenariats", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(recherche_creer, recherche_supprimer),
        migrations.RunPython(themes_creer, migrations.RunPython.noop),
    ]
