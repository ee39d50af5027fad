"""Orders as checkout leaves them for the review queue (authorized, not captured, stock held,
assessed), and the people who review them."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from catalog.tests.factories import merchant_staff
from fraud.models import Decision, RiskAssessment
from storefront.models import Order
from storefront.services.checkout import RiskDecision
from storefront.tests import conftest as storefront_fixtures
from storefront.tests.checkout_helpers import place_order

# The sellers storefront's tests use, shared rather than copied: a US seller of T-shirts (TEE-1,
# 10 in stock at 20.00 USD) and a German one of shirts (HEMD-1, 10 at 40.00 EUR), both selling
# in every market.
us_merchant = storefront_fixtures.us_merchant
de_merchant = storefront_fixtures.de_merchant

REASONS = [
    {"code": "country_mismatch", "message": "Card from another country than the destination"},
    {"code": "new_account", "message": "Account created today"},
    {"code": "high_amount", "message": "Amount far above this shopper's usual"},
    {"code": "time_of_day", "message": "Placed at night where the parcel goes"},
]


def risk_review(*, order) -> RiskDecision:
    """A checkout risk hook that holds every order for review."""
    return RiskDecision("review", reasons=("held by the test",))


@pytest.fixture
def place_held(markets):
    """Places an order that checkout holds for review, with its risk assessment:
    `place_held((variant, 2), score=80)`; lines as for storefront's `place_order`."""

    def place(*lines, market: str = "de", score: int = 80, reasons: list | None = None):
        with override_settings(CHECKOUT_RISK_HOOK=f"{__name__}.risk_review"):
            order = place_order(markets[market], *lines)
        assert order.status == Order.Status.ON_HOLD
        RiskAssessment.objects.update_or_create(
            order=order,
            defaults={
                "score": score,
                "decision": Decision.REVIEW,
                "decided_by": "model",
                "reasons": REASONS if reasons is None else reasons,
                "provenance": {"source": "model", "model_version": "test"},
            },
        )
        return order

    return place


@pytest.fixture
def held_order(place_held, us_merchant):
    """Two of the US seller's T-shirts, held at score 80."""
    return place_held((us_merchant, 2))


@pytest.fixture
def shared_held_order(place_held, us_merchant, de_merchant):
    """Held, and holding both sellers' products: for ops to decide."""
    return place_held((us_merchant, 1), (de_merchant, 1), score=70)


@pytest.fixture
def ops(db):
    return get_user_model().objects.create_superuser("ops", "ops@example.com", "x" * 20)


@pytest.fixture
def us_staff(us_merchant):
    return merchant_staff(us_merchant.merchant)


@pytest.fixture
def de_staff(de_merchant):
    return merchant_staff(de_merchant.merchant)
