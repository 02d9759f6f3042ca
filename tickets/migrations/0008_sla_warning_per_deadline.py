from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_queue_indexes"),
    ]

    operations = [
        # Not renamed: the old field held when a warning went out, the new one
        # which deadline it was about.
        migrations.RemoveField(model_name="ticket", name="sla_warned_at"),
        migrations.AddField(
            model_name="ticket",
            name="sla_warned_due",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scopedecision",
            name="service_confirmed",
            field=models.BooleanField(default=False),
        ),
    ]
