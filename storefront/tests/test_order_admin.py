"""The order screens of the admin, as merchant staff and ops use them."""

import pytest
from django.contrib.auth import get_user_model

from catalog.tests.factories import merchant_staff
from storefront.models import Order
from storefront.tests.checkout_helpers import place_order

pytestmark = pytest.mark.django_db

ORDERS = "/admin/storefront/order/"


@pytest.fixture
def two_merchant_order(markets, us_merchant, de_merchant):
    return place_order(markets["de"], (us_merchant, 1), (de_merchant, 1))


@pytest.fixture
def us_only_order(markets, us_merchant):
    return place_order(markets["de"], (us_merchant, 1))


@pytest.fixture
def as_de_staff(client, de_merchant):
    client.force_login(merchant_staff(de_merchant.merchant))
    return client


def test_staff_list_only_orders_holding_their_products(
    as_de_staff, two_merchant_order, us_only_order
):
    page = as_de_staff.get(ORDERS).content.decode()

    assert two_merchant_order.number in page
    assert us_only_order.number not in page


def test_staff_see_only_their_own_lines_of_a_shared_order(as_de_staff, two_merchant_order):
    page = as_de_staff.get(f"{ORDERS}{two_merchant_order.pk}/change/").content.decode()

    assert "HEMD-1" in page
    assert "TEE-1" not in page
    assert "due_at_sale" not in page and "Payments" not in page


def test_staff_cannot_open_another_merchants_order(as_de_staff, us_only_order):
    response = as_de_staff.get(f"{ORDERS}{us_only_order.pk}/change/")

    assert response.status_code == 302
    assert us_only_order.number not in as_de_staff.get(response.url).content.decode()


def test_staff_cannot_run_money_actions(as_de_staff, two_merchant_order):
    response = as_de_staff.post(
        ORDERS, {"action": "cancel_orders", "_selected_action": [two_merchant_order.pk]}
    )

    assert response.status_code in {200, 302}
    assert Order.objects.get(pk=two_merchant_order.pk).status == Order.Status.PAID


def test_ops_cancel_an_order_from_the_list(client, two_merchant_order):
    ops = get_user_model().objects.create_superuser("ops", "ops@example.com", "x" * 20)
    client.force_login(ops)

    client.post(ORDERS, {"action": "cancel_orders", "_selected_action": [two_merchant_order.pk]})

    order = Order.objects.get(pk=two_merchant_order.pk)
    assert order.status == Order.Status.CANCELLED
    assert order.events.filter(to_status="cancelled", actor=ops).exists()
