"""The store's default rules and the well-known disposable email domains, present from the start
so that checkout is scored on a fresh install; ops edit or deactivate them in the admin."""

from django.db import migrations

from fraud.ml.rules import DEFAULT_RULES

DISPOSABLE_DOMAINS = (
    "10minutemail.com",
    "dispostable.com",
    "getnada.com",
    "guerrillamail.com",
    "maildrop.cc",
    "mailinator.com",
    "sharklasers.com",
    "temp-mail.org",
    "trashmail.com",
    "yopmail.com",
)


def seed(apps, schema_editor):
    RiskRule = apps.get_model("fraud", "RiskRule")
    RiskListEntry = apps.get_model("fraud", "RiskListEntry")
    for rule in DEFAULT_RULES:
        RiskRule.objects.get_or_create(
            name=rule.name,
            merchant=None,
            defaults={
                "conditions": list(rule.conditions),
                "action": rule.action,
                "is_default": True,
            },
        )
    for domain in DISPOSABLE_DOMAINS:
        RiskListEntry.objects.get_or_create(kind="disposable_domain", value=domain)


class Migration(migrations.Migration):
    dependencies = [("fraud", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
