"""French names for the domain (CONTRIBUTING.md): Membership becomes Membre, AuditEntry becomes
EntreeJournal with its author ``par`` and its date ``cree_le``. Renames only: no row moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reseau", "0002_audit_cafes"),
    ]

    operations = [
        migrations.RenameModel("Membership", "Membre"),
        migrations.AlterField(
            model_name="membre",
            name="centre",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="membres",
                to="reseau.centre",
                verbose_name="centre",
            ),
        ),
        migrations.AlterField(
            model_name="membre",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="membres",
                to=settings.AUTH_USER_MODEL,
                verbose_name="utilisateur",
            ),
        ),
        migrations.RenameModel("AuditEntry", "EntreeJournal"),
        migrations.RemoveIndex(model_name="entreejournal", name="audit_object_idx"),
        migrations.RenameField("entreejournal", "user", "par"),
        migrations.RenameField("entreejournal", "object_type", "content_type"),
        migrations.RenameField("entreejournal", "created_at", "cree_le"),
        migrations.AddIndex(
            model_name="entreejournal",
            index=models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
        ),
        migrations.AlterModelOptions(
            name="entreejournal",
            options={
                "ordering": ["-cree_le"],
                "verbose_name": "entrée du journal d'audit",
                "verbose_name_plural": "journal d'audit",
            },
        ),
    ]
