from django.apps import AppConfig


class TranslationConfig(AppConfig):
    """Machine translation of catalog content, with review by merchants."""

    name = "translation"
    verbose_name = "Translation"
