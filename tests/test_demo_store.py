"""The demo store: deterministic, with the stated proportions, consistent with what the
services would have written."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from django.core.management import call_command

from catalog.models import Merchant, Product, ProductContent, ProductImage, Variant
from storefront.demo import config
from storefront.demo.generate import demo_store_seed
from storefront.models import (
    Chargeback,
    Customer,
    Order,
    PaymentAttempt,
    ShopperEvent,
    SimulationTruth,
)
from support_bot.models import FaqEntry

END = date(2026, 6, 1)
NOW = datetime.combine(END, time.min, tzinfo=UTC)


@pytest.fixture(scope="module")
def tiny_store(django_db_setup, django_db_blocker):
    """One tiny store for the module's tests (they only read it)."""
    with django_db_blocker.unblock():
        summary = demo_store_seed(size_name="tiny", seed=0, end=END)
        yield summary
        call_command("flush", "--noinput", verbosity=0)


pytestmark = pytest.mark.usefixtures("tiny_store")


@pytest.mark.django_db
def test_the_catalog_spans_countries_categories_and_languages():
    assert Merchant.objects.values("country").distinct().count() >= 5
    assert Product.objects.values("category").distinct().count() >= 6
    languages = set(ProductContent.objects.values_list("language", flat=True))
    assert {"en", "de", "fr", "es", "ja", "zh"} <= languages | set(
        Product.objects.values_list("source_language", flat=True)
    )
    assert not ProductImage.objects.exists()  # the tiny size draws no photos


@pytest.mark.django_db
def test_some_translations_are_missing_so_shoppers_fall_back():
    """Every product has translations into most, but not all, languages of its markets."""
    products = Product.objects.count()
    contents = ProductContent.objects.filter(status="approved").count()
    assert contents > 0
    missing = sum(
        1
        for product in Product.objects.prefetch_related("contents", "merchant__markets")
        if len(
            {lang for m in product.merchant.markets.all() for lang in m.languages}
            - {product.source_language}
            - {c.language for c in product.contents.all()}
        )
    )
    assert 0 < missing < products


@pytest.mark.django_db
def test_texts_differ_between_products():
    titles = list(Product.objects.values_list("title", flat=True))
    assert len(set(titles)) > 0.9 * len(titles)


@pytest.mark.django_db
def test_the_history_spans_18_months_before_now():
    first = Order.objects.order_by("created_at").first().created_at
    last = Order.objects.order_by("-created_at").first().created_at
    assert last < NOW
    assert (NOW - first).days > 450
    assert ShopperEvent.objects.filter(occurred_at__lt=NOW - timedelta(days=480)).exists()


@pytest.mark.django_db
def test_every_event_type_occurs_and_guests_become_customers():
    types = Counter(ShopperEvent.objects.values_list("type", flat=True))
    assert set(types) == {"view", "search", "add_to_cart", "remove_from_cart", "purchase"}
    assert types["view"] > types["add_to_cart"] > types["purchase"] > 0
    assert ShopperEvent.objects.filter(customer__isnull=True).exclude(client_id="").exists()


@pytest.mark.django_db
def test_order_totals_are_what_checkout_would_charge():
    for order in Order.objects.prefetch_related("lines")[:200]:
        lines = list(order.lines.all())
        assert sum(line.line_total for line in lines) == order.subtotal
        assert order.due_at_sale + order.due_on_delivery == (
            order.subtotal + order.shipping_total + order.duty_total + order.tax_total
        )


@pytest.mark.django_db
def test_every_status_change_is_an_event_ending_in_the_orders_status():
    for order in Order.objects.prefetch_related("events")[:300]:
        changes = [e for e in order.events.all() if e.kind == "status_changed"]
        assert changes, order.number
        assert changes[-1].to_status == order.status
        assert [c.from_status for c in changes[1:]] == [c.to_status for c in changes[:-1]]


@pytest.mark.django_db
def test_stock_held_is_exactly_what_unshipped_orders_need():
    expected = Counter()
    for order in Order.objects.filter(status=Order.Status.PAID).prefetch_related(
        "lines", "shipments"
    ):
        shipped = {shipment.merchant_id for shipment in order.shipments.all()}
        for line in order.lines.all():
            if line.merchant_id not in shipped:
                expected[line.variant_id] += line.quantity
    assert expected  # orders of the last days are not all shipped yet
    for variant in Variant.objects.all():
        assert variant.quantity_allocated == expected[variant.pk]
        assert variant.stock_on_hand >= variant.quantity_allocated


@pytest.mark.django_db
def test_about_one_percent_of_orders_are_fraud_and_labels_are_late_and_partial():
    orders = Order.objects.count()
    truth = SimulationTruth.objects
    fraud = truth.filter(is_fraud=True).count()
    assert truth.count() == orders
    assert fraud == pytest.approx(0.01 * orders, abs=max(3, 0.004 * orders))
    for chargeback in Chargeback.objects.select_related("order"):
        delay = chargeback.received_at - chargeback.order.created_at
        assert timedelta(days=30) <= delay <= timedelta(days=90)
        assert chargeback.received_at <= NOW
    recent = Order.objects.filter(created_at__gt=NOW - timedelta(days=30))
    assert not Chargeback.objects.filter(order__in=recent).exists()


@pytest.mark.django_db
def test_failed_payment_attempts_are_recorded():
    assert PaymentAttempt.objects.exclude(outcome="authorized").exists()
    assert PaymentAttempt.objects.filter(outcome="authorized").count() == Order.objects.count()


@pytest.mark.django_db
def test_the_support_knowledge_base_is_seeded_store_wide_and_per_merchant():
    assert FaqEntry.objects.filter(merchant__isnull=True).values("language").distinct().count() == 6
    assert FaqEntry.objects.filter(merchant__isnull=False).exists()


@pytest.mark.django_db
def test_demo_logins_exist_and_seeding_twice_is_refused(tiny_store):
    assert Customer.objects.count() >= config.SIZES["tiny"].customers
    with pytest.raises(ValueError, match="already has merchants"):
        demo_store_seed(size_name="tiny", seed=0, end=END)


@pytest.mark.django_db
def test_two_thirds_of_fraud_orders_carry_a_pattern():
    patterns = Counter(
        SimulationTruth.objects.filter(is_fraud=True).values_list("fraud_pattern", flat=True)
    )
    fraud = sum(patterns.values())
    patterned = fraud - patterns[""]
    assert abs(patterned - 2 / 3 * fraud) <= 5  # a velocity burst adds up to 5 at once
    assert set(patterns) - {""} <= set(config.FRAUD_PATTERNS)


class _Planned:
    def __init__(self, is_fraud: bool):
        self.is_fraud = is_fraud


@pytest.mark.parametrize(("is_fraud", "labelled"), [(True, 0.90), (False, 0.002)])
def test_chargeback_rates(is_fraud, labelled):
    """90 % of fraud is charged back (10 % never), 0.2 % of honest orders are (friendly
    fraud): measured on 20,000 draws of the writer's own labelling."""
    from collections import defaultdict

    from storefront.demo.writer import OrderWriter

    writer = OrderWriter(
        rng=np.random.default_rng(0),
        world=None,
        pricer=None,
        start=END - timedelta(days=548),
        now=NOW,
    )
    out = defaultdict(list)
    for _ in range(20_000):
        order = Order(created_at=NOW - timedelta(days=400), due_at_sale=10, currency="EUR")
        writer._chargeback(out, _Planned(is_fraud), order)
    share = len(out[Chargeback]) / 20_000
    assert share == pytest.approx(labelled, abs=0.01 if is_fraud else 0.0015)
