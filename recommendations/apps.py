from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    """For-you, similar, bought-together and trending recommendations."""

    name = "recommendations"
    verbose_name = "Recommendations"
