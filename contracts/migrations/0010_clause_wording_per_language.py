# A clause's text and advice become text per language ({"en": ...}). A column of
# plain text cannot be cast to JSON on PostgreSQL (the texts are no JSON), so the
# wording moves through new columns: add, copy, drop the old, rename.

import contracts.models
from django.db import migrations, models


def _language_of(contract_languages, contract_id):
    return contract_languages.get(contract_id) or "en"


def _to_wording(apps, schema_editor):
    # A plain text is in the language its letters show, as a plain `text:` in a
    # contract file is read.
    from contracts.engine.terms import as_wording

    for name in ("Clause", "HistoricalClause"):
        model = apps.get_model("contracts", name)
        for row in model.objects.only("pk", "text", "advice").iterator():
            row.text_wording = as_wording(row.text)
            row.advice_wording = as_wording(row.advice)
            row.save(update_fields=["text_wording", "advice_wording"])


def _to_plain_text(apps, schema_editor):
    from contracts.engine.terms import text_in

    Contract = apps.get_model("contracts", "Contract")
    languages = dict(Contract.objects.values_list("pk", "customer__language"))
    for name in ("Clause", "HistoricalClause"):
        model = apps.get_model("contracts", name)
        for row in model.objects.only("pk", "contract_id", "text_wording", "advice_wording"):
            language = _language_of(languages, row.contract_id)
            row.text = text_in(row.text_wording or {}, language)[0]
            row.advice = text_in(row.advice_wording or {}, language)[0]
            row.save(update_fields=["text", "advice"])


def _fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name, name="text_wording", field=models.JSONField(default=dict)
        ),
        migrations.AddField(
            model_name=model_name, name="advice_wording", field=models.JSONField(default=dict)
        ),
    ]


def _swap(model_name):
    return [
        # With a default, the old columns can come back when migrating backwards.
        migrations.AlterField(
            model_name=model_name, name="text", field=models.TextField(blank=True, default="")
        ),
        migrations.AlterField(
            model_name=model_name, name="advice", field=models.TextField(blank=True, default="")
        ),
        migrations.RemoveField(model_name=model_name, name="text"),
        migrations.RemoveField(model_name=model_name, name="advice"),
        migrations.RenameField(model_name=model_name, old_name="text_wording", new_name="text"),
        migrations.RenameField(model_name=model_name, old_name="advice_wording", new_name="advice"),
        migrations.AlterField(
            model_name=model_name,
            name="text",
            field=models.JSONField(
                help_text="What the customer reads about this clause, per language.",
                validators=[contracts.models.validate_wording],
                verbose_name="text",
            ),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="advice",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Excluded clauses: where else to go, per language.",
                validators=[contracts.models.validate_wording],
                verbose_name="advice",
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0009_recognition_examples_and_phrase_suggestions"),
    ]

    operations = [
        *_fields("clause"),
        *_fields("historicalclause"),
        migrations.RunPython(_to_wording, _to_plain_text),
        *_swap("clause"),
        *_swap("historicalclause"),
    ]
