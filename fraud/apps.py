from django.apps import AppConfig


class FraudConfig(AppConfig):
    """Risk scoring at checkout: model and rules, reason codes, review queue."""

    name = "fraud"
    verbose_name = "Risk scoring"
