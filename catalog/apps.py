from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Merchants, categories, products, variants, images, per-language content and search
    (lexical, semantic, by image)."""

    name = "catalog"
    verbose_name = "Catalog"
