from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    """Per-SKU demand forecasts with intervals, stockout risk and reorder suggestions."""

    name = "forecasting"
    verbose_name = "Demand forecasting"
