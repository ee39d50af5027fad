from django.apps import AppConfig


class MlModelsConfig(AppConfig):
    """The ML platform: model registry, artifact store, loader, training runs, shared encoders."""

    name = "ml_models"
    verbose_name = "ML platform"
