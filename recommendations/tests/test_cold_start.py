"""A product nobody has interacted with reaches similar and for-you lists through its content:
its text and photo embeddings place it in the index next to the products it resembles."""

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.embeddings import product_embeddings_refresh
from catalog.models import Product
from catalog.tasks import batch_embed_products
from catalog.tests.factories import ProductFactory, VariantFactory
from ml_models.loader import loaders_reset
from ml_models.models import ModelVersion
from recommendations.services import index_refresh, index_refresh_reason

TITLES = [
    "Wanderschuhe aus Leder für Damen",
    "Espressomaschine aus Edelstahl",
    "Yogamatte rutschfest",
    "Kinderfahrrad 16 Zoll",
    "Bluetooth-Kopfhörer mit Geräuschunterdrückung",
    "Teekanne aus Gusseisen",
    "Regenjacke wasserdicht für Herren",
    "Schreibtischlampe LED dimmbar",
    "Kochbuch italienische Küche",
    "Laufschuhe für Herren",
    "Rucksack 30 Liter",
    "Brettspiel für die Familie",
]


@pytest.fixture(autouse=True)
def model_and_index(settings, in_process_tasks):
    settings.ML_CAPABILITIES = [
        "recommendations.capability.RecommendationsCapability",
        "recommendations.capability.RecommendationsIndexCapability",
    ]
    settings.RECOMMENDATIONS_TUNING_GRID = [{"dim": 8, "epochs": 5, "dropout": 0.0}]
    settings.ML_LOADER_POLL_SECONDS = 0
    loaders_reset()
    yield
    loaders_reset()


@pytest.mark.django_db(transaction=True)
def test_a_new_product_is_indexed_by_its_content_and_shows_up_in_similar_lists(api_client, store):
    for product, title in zip(store.products, TITLES, strict=True):
        Product.objects.filter(pk=product.pk).update(title=title)
    product_embeddings_refresh()
    call_command("retrain", "recommendations", "--sync", "--force", stdout=StringIO())
    first_index = ModelVersion.objects.get(capability="recommendations.index")
    assert first_index.inputs == {"recommendations": 1}
    assert index_refresh_reason() is None

    boots = ProductFactory(
        merchant=store.products[0].merchant, title="Women's leather hiking boots"
    )
    VariantFactory(product=boots, stock_on_hand=4)
    assert batch_embed_products() == 1  # the 5-minute beat
    assert index_refresh_reason() == "products were added or changed"
    [run_id] = index_refresh()  # the 10-minute beat; in-process tasks rebuild it here

    latest = ModelVersion.objects.filter(capability="recommendations.index").latest("version")
    assert latest.version == 2 and latest.training_run.pk == run_id
    if latest.status != "active":  # the gate compares held-out recall; the test wants serving
        call_command("models", "promote", "recommendations.index", "2", "--force")
    body = api_client.get(f"/api/v1/recommendations/similar/{boots.pk}/", {"market": "de"}).json()
    assert body["results"][0]["provenance"] == {"source": "model", "model_version": 1}
    similar_to_boots = [item["product"]["id"] for item in body["results"]]
    assert similar_to_boots.index(store.products[0].pk) < 3  # the German leather boots
    body = api_client.get(
        f"/api/v1/recommendations/similar/{store.products[0].pk}/", {"market": "de"}
    ).json()
    assert boots.pk in [item["product"]["id"] for item in body["results"]][:5]
