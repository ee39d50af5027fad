"""Checkout -> risk score -> order on hold, with a model trained by the platform on the demo
store's history: what a store runs after `make run`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Variant
from fraud.models import RiskAssessment
from fraud.services import payment_signals_backfill
from ml_models.loader import loaders_reset
from ml_models.models import ModelVersion
from storefront.demo.generate import demo_store_seed
from storefront.models import Market, Order
from storefront.services.carts import cart_create, cart_line_set
from storefront.services.checkout import CheckoutRequest, PaymentFailed, checkout_complete


@pytest.fixture(scope="module")
def store_with_model(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_store_seed(size_name="small", seed=0, end=date.today())
        payment_signals_backfill()
        call_command("retrain", "fraud", "--sync", "--force", stdout=StringIO())
        loaders_reset()
        yield ModelVersion.objects.get(capability="fraud", status="active")
        call_command("flush", "--noinput", verbosity=0)
        loaders_reset()  # the model is gone with the data: later tests must not be scored by it


def checkout(*, email: str, card: str, ip_country: str, ip: str, device: str) -> Order:
    market = Market.objects.get(code="de")
    variant = Variant.objects.filter(
        product__status="active",
        product__merchant__markets=market,
        product__category__slug="electronics",
        stock_on_hand__gte=5,
    ).first()
    cart = cart_create(market=market)
    cart_line_set(cart=cart, variant_id=variant.pk, quantity=2)
    return checkout_complete(
        cart=cart,
        customer=None,
        request=CheckoutRequest(
            email=email,
            shipping_address={
                "full_name": "Ada Muster",
                "line1": "Hauptstrasse 5",
                "city": "Berlin",
                "postal_code": "10115",
                "country": "DE",
            },
            billing_country="DE",
            payment_method=card,
            client_ip=ip,
            ip_country=ip_country,
            device_id=device,
        ),
    )


@pytest.mark.django_db
def test_the_trained_model_scores_checkout_and_holds_the_risky_order(store_with_model):
    ordinary = checkout(
        email="anna.schmidt@web.de",
        card="pm_card_visa_DE_anna",
        ip_country="DE",
        ip="91.20.30.40",
        device="anna-laptop",
    )
    risky_email = "4829117@mailinator.example"
    try:
        risky = checkout(
            email=risky_email,
            card="pm_card_visa_US_stolen1",
            ip_country="NG",
            ip="105.1.2.3",
            device="ring-device",
        )
    except PaymentFailed:  # blocked: cancelled, its assessment kept
        risky = Order.objects.get(email=risky_email)

    calm, alarming = (RiskAssessment.objects.get(order=order) for order in (ordinary, risky))
    model = {"source": "model", "model_version": store_with_model.version}
    assert calm.provenance == alarming.provenance == model
    assert alarming.score > calm.score
    assert calm.decision == "allow" and ordinary.status == Order.Status.PAID
    assert alarming.decision in {"review", "block"}
    assert risky.status in {Order.Status.ON_HOLD, Order.Status.CANCELLED}
    assert any(reason["code"] != "rule" for reason in alarming.reasons)
