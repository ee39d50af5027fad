"""Checkout as a shopper uses it through the REST API: landed cost from quote to order,
idempotency, payment failures, stock, the risk hook, purchase events, and who sees which cart
and which order."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog.models import Variant
from catalog.tests.factories import MerchantFactory, ProductFactory, VariantFactory
from storefront.models import (
    Cart,
    IdempotencyRecord,
    Order,
    OrderEvent,
    Payment,
    PaymentAttempt,
    ShopperEvent,
)
from storefront.money import money_quantize
from storefront.payments import PaymentTimeout, payment_provider_get
from storefront.payments.test_provider import TestPaymentProvider, card_fingerprint
from storefront.services.checkout import RiskDecision

# The seeded rates (storefront/tests/conftest.py): 1 EUR = ...
EUR_USD = Decimal("1.0850")
EUR_GBP = Decimal("0.8420")
EUR_JPY = Decimal("162.40")

PASSWORD = "a long enough passphrase for tests"
ADDRESS = {"full_name": "Ada Shopper", "line1": "1 Main Street", "city": "Town"}
MONEY_FIELDS = ("subtotal", "shipping", "duty", "tax", "due_at_sale", "due_on_delivery")


def q(amount: Decimal, currency: str) -> Decimal:
    return money_quantize(amount, currency)


# --- A shopper, through the API ---------------------------------------------------------------


class Shopper:
    """A guest (no email) or a registered customer, with their own API client."""

    def __init__(self, email: str | None = None) -> None:
        self.client = APIClient()
        self.email = email or "guest@example.com"
        if email:
            response = self.client.post(
                "/api/v1/account/register/",
                {"email": email, "password": PASSWORD},
                format="json",
            )
            assert response.status_code == 201, response.json()
            self.client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    def cart(self, market: str, *lines: tuple[Variant, int]) -> str:
        response = self.client.post("/api/v1/carts/", {"market": market}, format="json")
        assert response.status_code == 201, response.json()
        token = response.json()["token"]
        for variant, quantity in lines:
            response = self.set_line(token, variant, quantity)
            assert response.status_code == 200, response.json()
        return token

    def set_line(self, token: str, variant: Variant, quantity: int):
        return self.client.put(
            f"/api/v1/carts/{token}/lines/",
            {"variant": variant.pk, "quantity": quantity},
            format="json",
        )

    def quote(self, token: str, country: str, region: str = ""):
        body = {"country": country, "region": region} if region else {"country": country}
        return self.client.post(f"/api/v1/carts/{token}/quote/", body, format="json")

    def checkout_body(
        self, country: str, region: str = "", payment_method: str = "pm_card_visa"
    ) -> dict:
        return {
            "email": self.email,
            "shipping_address": {**ADDRESS, "country": country, "region": region},
            "billing_country": country,
            "payment_method": payment_method,
        }

    def checkout(self, token: str, key: str | None = "key-1", body: dict | None = None, **kwargs):
        body = body if body is not None else self.checkout_body(**kwargs)
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        return self.client.post(f"/api/v1/carts/{token}/checkout/", body, format="json", **headers)


@pytest.fixture
def guest(db):
    return Shopper()


def _allocated(variant: Variant) -> int:
    variant.refresh_from_db()
    return variant.quantity_allocated


@pytest.fixture
def de_merchant(markets):
    """A German seller (prices in EUR) of a 40.00 EUR T-shirt who sells everywhere."""
    merchant = MerchantFactory(
        name="Hemden GmbH",
        country="DE",
        currency="EUR",
        default_language="de",
        markets=list(markets.values()),
    )
    product = ProductFactory(merchant=merchant, title="Hemd")
    return VariantFactory(
        product=product,
        sku="HEMD-1",
        price=Decimal("40.00"),
        stock_on_hand=10,
        weight_grams=200,
        hs_code="610910",
        country_of_origin="PT",
    )


# --- Landed cost: the quote, then an order with the same figures -------------------------------


def _quote_then_order(
    shopper: Shopper, token: str, country: str, expected: dict, region: str = ""
) -> Order:
    response = shopper.quote(token, country, region)
    assert response.status_code == 200, response.json()
    quote = response.json()
    assert {field: Decimal(quote[field]) for field in expected} == expected
    assert Decimal(quote["total"]) == expected["due_at_sale"] + expected["due_on_delivery"]

    response = shopper.checkout(token, key=f"order-{country}", country=country, region=region)

    assert response.status_code == 201, response.json()
    order_body = response.json()
    assert order_body["status"] == "paid"
    # The order is charged exactly what the quote said, field for field.
    for field in MONEY_FIELDS:
        assert order_body[field] == quote[field], field
    order = Order.objects.get(number=order_body["number"])
    payment = order.payments.get()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.captured_amount == expected["due_at_sale"]
    return order


def test_de_order_under_150_eur_pays_vat_at_sale_and_no_duty(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))
    # 20.00 USD at 1 EUR = 1.0850 USD: 18.4331... -> 18.43 EUR.
    goods = q(Decimal("20.00") / EUR_USD, "EUR")
    shipping = Decimal("4.90")  # 200 g: the "up to 500 g" rate of Germany and Austria
    # Goods <= 150 EUR: no duty; IOSS VAT 19 % at sale, per line and on shipping, each rounded.
    tax = q(goods * Decimal("0.19"), "EUR") + q(shipping * Decimal("0.19"), "EUR")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": Decimal("0"),
        "tax": tax,
        "due_at_sale": goods + shipping + tax,
        "due_on_delivery": Decimal("0"),
    }
    assert expected["due_at_sale"] == Decimal("27.76")  # 18.43 + 4.90 + 3.50 + 0.93

    order = _quote_then_order(guest, token, "DE", expected)

    [consignment] = order.landed_cost["consignments"]
    assert consignment["tax_collection"] == "at_sale"
    assert consignment["duty_collection"] is None
    assert [(r["base"], r["quote"]) for r in order.exchange_rates] == [("EUR", "USD")]


def test_de_order_over_150_eur_pays_duty_and_import_vat_on_delivery(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 9))
    goods = q(Decimal("20.00") / EUR_USD, "EUR") * 9  # 9 x 18.43 = 165.87 EUR > 150
    shipping = Decimal("6.90")  # 1,800 g: the "up to 2 kg" rate
    # Duty: chapter 61 at 12 % on the CIF value (one line: goods + all the shipping).
    duty = q((goods + shipping) * Decimal("0.12"), "EUR")
    # Import VAT 19 % on goods + duty, plus its own part on shipping.
    tax = q((goods + duty) * Decimal("0.19"), "EUR") + q(shipping * Decimal("0.19"), "EUR")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": duty,
        "tax": tax,
        # Above the IOSS limit the parcel is a normal import: both are paid on delivery.
        "due_at_sale": goods + shipping,
        "due_on_delivery": duty + tax,
    }
    assert (duty, tax) == (Decimal("20.73"), Decimal("36.76"))

    order = _quote_then_order(guest, token, "DE", expected)

    [line] = order.lines.all()
    assert (line.duty, line.tax) == (duty, tax - q(shipping * Decimal("0.19"), "EUR"))
    [consignment] = order.landed_cost["consignments"]
    assert consignment["duty_collection"] == consignment["tax_collection"] == "on_delivery"


def test_gb_order_under_135_gbp_pays_vat_at_sale(guest, us_merchant):
    token = guest.cart("gb", (us_merchant, 1))
    goods = q(Decimal("20.00") * EUR_GBP / EUR_USD, "GBP")  # 15.52 GBP
    shipping = Decimal("4.90")
    tax = q(goods * Decimal("0.20"), "GBP") + q(shipping * Decimal("0.20"), "GBP")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": Decimal("0"),
        "tax": tax,
        "due_at_sale": goods + shipping + tax,
        "due_on_delivery": Decimal("0"),
    }
    assert expected["due_at_sale"] == Decimal("24.50")

    _quote_then_order(guest, token, "GB", expected)


def test_us_import_pays_duty_and_sales_tax_at_sale(guest, de_merchant):
    token = guest.cart("us", (de_merchant, 1))
    goods = q(Decimal("40.00") * EUR_USD, "USD")  # 43.40 USD
    shipping = Decimal("7.90")
    # No de minimis: duty 16 % (chapter 61) on the FOB value, goods only, paid at sale.
    duty = q(goods * Decimal("0.16"), "USD")
    # California sales tax 7.25 % on goods and shipping, not on duty.
    tax = q(goods * Decimal("0.0725"), "USD") + q(shipping * Decimal("0.0725"), "USD")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": duty,
        "tax": tax,
        "due_at_sale": goods + shipping + duty + tax,
        "due_on_delivery": Decimal("0"),
    }
    assert (duty, tax) == (Decimal("6.94"), Decimal("3.72"))

    order = _quote_then_order(guest, token, "US", expected, region="CA")

    [consignment] = order.landed_cost["consignments"]
    assert consignment["duty_collection"] == consignment["tax_collection"] == "at_sale"
    assert Decimal(consignment["tax_rate"]) == Decimal("0.0725")


def test_us_domestic_order_pays_only_the_states_sales_tax(guest, us_merchant):
    token = guest.cart("us", (us_merchant, 1))
    goods, shipping = Decimal("20.00"), Decimal("7.90")
    # A US merchant ships from inside the territory: no customs, sales tax at sale.
    tax = q(goods * Decimal("0.0725"), "USD") + q(shipping * Decimal("0.0725"), "USD")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": Decimal("0"),
        "tax": tax,
        "due_at_sale": goods + shipping + tax,
        "due_on_delivery": Decimal("0"),
    }

    _quote_then_order(guest, token, "US", expected, region="CA")


def test_us_state_without_a_configured_rate_pays_no_sales_tax(guest, de_merchant):
    token = guest.cart("us", (de_merchant, 1))

    quote = guest.quote(token, "US", region="OR").json()

    assert Decimal(quote["tax"]) == 0
    assert Decimal(quote["duty"]) == q(
        q(Decimal("40.00") * EUR_USD, "USD") * Decimal("0.16"), "USD"
    )


def test_jp_order_under_10000_yen_pays_nothing_on_delivery(guest, us_merchant):
    token = guest.cart("jp", (us_merchant, 1))
    goods = q(Decimal("20.00") * EUR_JPY / EUR_USD, "JPY")  # 2,994 yen
    shipping = Decimal("900")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": Decimal("0"),
        "tax": Decimal("0"),
        "due_at_sale": goods + shipping,
        "due_on_delivery": Decimal("0"),
    }

    order = _quote_then_order(guest, token, "JP", expected)

    assert order.due_at_sale == Decimal("3894")


def test_jp_order_over_10000_yen_pays_duty_and_consumption_tax_on_delivery(guest, us_merchant):
    token = guest.cart("jp", (us_merchant, 4))
    goods = q(Decimal("20.00") * EUR_JPY / EUR_USD, "JPY") * 4  # 11,976 yen > 10,000
    shipping = Decimal("1800")  # 800 g: the "up to 2 kg" rate
    duty = q((goods + shipping) * Decimal("0.10"), "JPY")  # chapter 61 at 10 %, CIF
    tax = q((goods + duty) * Decimal("0.10"), "JPY") + q(shipping * Decimal("0.10"), "JPY")
    expected = {
        "subtotal": goods,
        "shipping": shipping,
        "duty": duty,
        "tax": tax,
        "due_at_sale": goods + shipping,
        "due_on_delivery": duty + tax,
    }
    assert (duty, tax) == (Decimal("1378"), Decimal("1515"))

    order = _quote_then_order(guest, token, "JP", expected)

    response = guest.client.get(
        f"/api/v1/orders/{order.number}/", HTTP_X_ORDER_TOKEN=order.access_token
    )
    assert response.json()["due_on_delivery"] == "2893"  # whole yen, no decimals


def test_two_merchants_are_two_parcels_judged_separately(guest, us_merchant, de_merchant):
    # 5 x 40.00 EUR = 200 EUR from Germany into Austria is domestic; the US parcel of 18.43 EUR
    # is an import under 150 EUR. Each parcel ships and is taxed on its own.
    token = guest.cart("de", (us_merchant, 1), (de_merchant, 5))

    quote = guest.quote(token, "AT").json()

    assert [p["ships_from"] for p in quote["parcels"]] == ["US", "DE"]
    assert [p["shipping"] for p in quote["parcels"]] == ["4.90", "6.90"]
    us_goods = q(Decimal("20.00") / EUR_USD, "EUR")
    de_goods = Decimal("200.00")
    vat = Decimal("0.20")  # Austria
    tax = (
        q(us_goods * vat, "EUR")
        + q(Decimal("4.90") * vat, "EUR")
        + q(de_goods * vat, "EUR")
        + q(Decimal("6.90") * vat, "EUR")
    )
    assert Decimal(quote["duty"]) == 0
    assert Decimal(quote["tax"]) == tax
    assert Decimal(quote["due_at_sale"]) == us_goods + de_goods + Decimal("11.80") + tax


# --- Idempotency ------------------------------------------------------------------------------


def test_same_key_and_body_replays_the_same_order(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 2))

    first = guest.checkout(token, key="abc", country="DE")
    second = guest.checkout(token, key="abc", country="DE")

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert _allocated(us_merchant) == 2


def test_same_key_with_another_body_is_refused(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))
    assert guest.checkout(token, key="abc", country="DE").status_code == 201

    body = {**guest.checkout_body("DE"), "email": "someone.else@example.com"}
    response = guest.checkout(token, key="abc", body=body)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "   ", "k" * 101])
def test_checkout_without_a_usable_key_is_refused(guest, us_merchant, key):
    token = guest.cart("de", (us_merchant, 1))

    response = guest.checkout(token, key=key, country="DE")

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert not Order.objects.exists()


def test_a_declined_payment_is_replayed_for_the_same_key(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))

    first = guest.checkout(token, key="abc", country="DE", payment_method="pm_card_declined")
    second = guest.checkout(token, key="abc", country="DE", payment_method="pm_card_declined")

    assert first.status_code == second.status_code == 402
    assert first.json()["code"] == second.json()["code"] == "card_declined"
    assert second["Idempotent-Replayed"] == "true"
    # The card was tried once, not twice.
    assert PaymentAttempt.objects.count() == 1


def test_the_same_key_on_another_cart_is_another_checkout(guest, us_merchant):
    first_cart = guest.cart("de", (us_merchant, 1))
    second_cart = guest.cart("de", (us_merchant, 1))

    first = guest.checkout(first_cart, key="abc", country="DE")
    second = guest.checkout(second_cart, key="abc", country="DE")

    assert first.status_code == second.status_code == 201
    assert first.json()["number"] != second.json()["number"]


def test_an_input_error_is_not_stored_so_the_key_can_be_retried(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))

    refused = guest.checkout(token, key="abc", country="FR")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()


# --- Payment failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payment_method", "shopper_code", "recorded_outcome"),
    [
        ("pm_card_declined", "card_declined", "card_declined"),
        ("pm_card_insufficient_funds", "insufficient_funds", "insufficient_funds"),
        # The store records the fraud signal; the shopper reads a plain decline.
        ("pm_card_fraudulent", "card_declined", "fraudulent"),
    ],
)
def test_declined_card_leaves_no_order_and_no_held_stock(
    guest, us_merchant, payment_method, shopper_code, recorded_outcome
):
    token = guest.cart("de", (us_merchant, 3))
    quote = guest.quote(token, "DE").json()

    response = guest.checkout(token, country="DE", payment_method=payment_method)

    assert response.status_code == 402
    body = response.json()
    assert body["code"] == shopper_code
    assert "fraud" not in body["message"].lower()
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert not OrderEvent.objects.exists()
    assert _allocated(us_merchant) == 0
    attempt = PaymentAttempt.objects.get()
    assert attempt.outcome == recorded_outcome
    assert attempt.order is None
    assert attempt.card_fingerprint == card_fingerprint(payment_method)
    assert attempt.amount == Decimal(quote["due_at_sale"])
    assert attempt.currency == "EUR"
    assert attempt.cart_token == Cart.objects.get().token
    # The cart stays open: another card, with a new key, goes through.
    retry = guest.checkout(token, key="key-2", country="DE")
    assert retry.status_code == 201, retry.json()
    assert _allocated(us_merchant) == 3


@pytest.mark.parametrize(
    ("payment_method", "recorded_outcome"),
    [("pm_card_error", "provider_error"), ("pm_card_timeout", "timeout")],
)
def test_payment_service_failure_is_payment_unavailable_and_leaves_nothing(
    guest, us_merchant, payment_method, recorded_outcome
):
    token = guest.cart("de", (us_merchant, 2))

    response = guest.checkout(token, country="DE", payment_method=payment_method)

    assert response.status_code == 402
    assert response.json()["code"] == "payment_unavailable"
    assert not Order.objects.exists()
    assert _allocated(us_merchant) == 0
    assert PaymentAttempt.objects.get().outcome == recorded_outcome


def test_capture_failure_voids_the_authorization_and_leaves_nothing(
    guest, us_merchant, monkeypatch
):
    voided = []
    real_void = TestPaymentProvider.void

    def void_spy(self, *, authorization):
        voided.append(authorization)
        return real_void(self, authorization=authorization)

    monkeypatch.setattr(TestPaymentProvider, "void", void_spy)
    token = guest.cart("de", (us_merchant, 2))
    quote = guest.quote(token, "DE").json()

    response = guest.checkout(token, country="DE", payment_method="pm_card_capture_error")

    assert response.status_code == 402
    assert response.json()["code"] == "payment_unavailable"
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert _allocated(us_merchant) == 0
    [authorization] = voided
    assert authorization.amount == Decimal(quote["due_at_sale"])
    assert guest.client.get(f"/api/v1/carts/{token}/").json()["checked_out"] is False


class HoldingOnTimeoutProvider(TestPaymentProvider):
    """A gateway as PaymentTimeout describes it: the timeout hid an authorization that was made;
    retrying `authorize` with the same idempotency key finds it, and voiding releases it."""

    def __init__(self) -> None:
        self.holds: dict[str, object] = {}
        self.voided: list[str] = []

    def authorize(self, *, amount, currency, payment_method, idempotency_key):
        if payment_method != "pm_card_timeout":
            return super().authorize(
                amount=amount,
                currency=currency,
                payment_method=payment_method,
                idempotency_key=idempotency_key,
            )
        if idempotency_key in self.holds:
            return self.holds[idempotency_key]
        self.holds[idempotency_key] = super().authorize(
            amount=amount,
            currency=currency,
            payment_method="pm_card_visa",
            idempotency_key=idempotency_key,
        )
        raise PaymentTimeout(idempotency_key=idempotency_key)

    def void(self, *, authorization):
        self.voided.append(authorization.authorization_id)


def test_timeout_releases_an_authorization_the_gateway_made(guest, us_merchant, settings):
    """A timeout leaves the outcome unknown: the checkout asks again with the same key and
    voids what it finds, so no money stays held on the shopper's card."""
    settings.PAYMENT_PROVIDERS = {"test": f"{__name__}.HoldingOnTimeoutProvider"}
    payment_provider_get.cache_clear()
    provider = payment_provider_get()
    token = guest.cart("de", (us_merchant, 1))

    response = guest.checkout(token, country="DE", payment_method="pm_card_timeout")

    assert response.status_code == 402
    assert len(provider.holds) == 1
    assert sorted(provider.voided) == sorted(a.authorization_id for a in provider.holds.values())


# --- Stock ------------------------------------------------------------------------------------


def test_more_than_in_stock_is_refused_at_the_cart(guest, us_merchant):
    token = guest.cart("de")

    response = guest.set_line(token, us_merchant, 11)

    assert response.status_code == 400
    assert response.json()["code"] == "out_of_stock"
    assert guest.client.get(f"/api/v1/carts/{token}/").json()["lines"] == []


def test_stock_dropping_before_checkout_refuses_it(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 2))
    Variant.objects.filter(pk=us_merchant.pk).update(stock_on_hand=1)

    response = guest.checkout(token, country="DE")

    assert response.status_code == 400
    assert response.json()["code"] == "out_of_stock"
    assert not Order.objects.exists()
    assert not PaymentAttempt.objects.exists()
    assert _allocated(us_merchant) == 0


def test_stock_taken_by_another_order_refuses_the_second_checkout(us_merchant):
    first, second = Shopper(), Shopper()
    first_cart = first.cart("de", (us_merchant, 6))
    second_cart = second.cart("de", (us_merchant, 6))

    assert first.checkout(first_cart, country="DE").status_code == 201
    response = second.checkout(second_cart, country="DE")

    assert response.status_code == 400
    assert response.json()["code"] == "out_of_stock"
    assert Order.objects.count() == 1
    assert _allocated(us_merchant) == 6


def test_one_line_out_of_stock_holds_nothing_for_the_others(guest, us_merchant, de_merchant):
    token = guest.cart("de", (us_merchant, 2), (de_merchant, 2))
    Variant.objects.filter(pk=de_merchant.pk).update(stock_on_hand=1)

    response = guest.checkout(token, country="DE")

    assert response.status_code == 400
    assert _allocated(us_merchant) == _allocated(de_merchant) == 0


# --- The risk hook ----------------------------------------------------------------------------


def risk_review(*, order):
    return RiskDecision("review", score=0.7, reasons=("velocity rule 12 fired",))


def risk_block(*, order):
    return RiskDecision("block", score=0.99, reasons=("blocklisted card rule",))


def risk_broken(*, order):
    raise RuntimeError("the model server is down")


def test_review_holds_the_order_authorized_not_captured(guest, us_merchant, settings):
    settings.CHECKOUT_RISK_HOOK = f"{__name__}.risk_review"
    token = guest.cart("de", (us_merchant, 2))

    response = guest.checkout(token, country="DE")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "on_hold"
    order = Order.objects.get()
    assert order.status == Order.Status.ON_HOLD
    payment = order.payments.get()
    assert payment.status == Payment.Status.AUTHORIZED
    assert payment.captured_amount == 0
    assert _allocated(us_merchant) == 2
    assessed = order.events.get(kind="risk_assessed")
    assert assessed.reason == "review"
    assert assessed.data["score"] == 0.7
    # Not paid yet, so not a purchase yet.
    assert not ShopperEvent.objects.exists()


def test_block_refuses_the_payment_without_saying_why(guest, us_merchant, settings):
    settings.CHECKOUT_RISK_HOOK = f"{__name__}.risk_block"
    token = guest.cart("de", (us_merchant, 2))

    response = guest.checkout(token, country="DE")

    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "payment_refused"
    said = f"{body['message']} {body['details']}".lower()
    for word in ("risk", "rule", "score", "fraud", "block"):
        assert word not in said
    order = Order.objects.get()
    assert order.status == Order.Status.CANCELLED
    assert order.payments.get().status == Payment.Status.VOIDED
    assert _allocated(us_merchant) == 0
    # The reasons are kept for staff, in the order's log.
    assert order.events.get(kind="risk_assessed").data["reasons"] == ["blocklisted card rule"]


def test_a_failing_risk_hook_holds_the_order_instead_of_failing(guest, us_merchant, settings):
    settings.CHECKOUT_RISK_HOOK = f"{__name__}.risk_broken"
    token = guest.cart("de", (us_merchant, 1))

    response = guest.checkout(token, country="DE")

    assert response.status_code == 201
    assert response.json()["status"] == "on_hold"
    assert Order.objects.get().payments.get().status == Payment.Status.AUTHORIZED


def test_an_unimportable_risk_hook_also_holds_the_order(guest, us_merchant, settings):
    settings.CHECKOUT_RISK_HOOK = "storefront.no_such_module.hook"
    token = guest.cart("de", (us_merchant, 1))

    response = guest.checkout(token, country="DE")

    assert response.status_code == 201
    assert response.json()["status"] == "on_hold"


# --- Purchase events --------------------------------------------------------------------------


def test_a_paid_order_records_one_purchase_event_per_line(markets, us_merchant):
    customer = Shopper("ada@example.com")
    second = VariantFactory(product=us_merchant.product, sku="TEE-2", price=Decimal("25.00"))
    token = customer.cart("de", (us_merchant, 2), (second, 1))

    response = customer.checkout(token, country="DE")

    assert response.status_code == 201
    order = Order.objects.get()
    events = ShopperEvent.objects.filter(type=ShopperEvent.Type.PURCHASE)
    assert sorted((e.variant_id, e.quantity) for e in events) == sorted(
        [(us_merchant.pk, 2), (second.pk, 1)]
    )
    for event in events:
        assert event.order == order
        assert event.customer == order.customer is not None
        assert event.product_id == us_merchant.product_id
        assert event.market == markets["de"]


def test_a_replayed_checkout_records_no_more_events(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))

    guest.checkout(token, key="abc", country="DE")
    guest.checkout(token, key="abc", country="DE")

    assert ShopperEvent.objects.count() == 1


# --- Whose cart -------------------------------------------------------------------------------


def test_a_customers_cart_is_theirs_alone(us_merchant):
    ada, bob, guest = Shopper("ada@example.com"), Shopper("bob@example.com"), Shopper()
    token = ada.cart("de", (us_merchant, 1))

    assert ada.client.get(f"/api/v1/carts/{token}/").status_code == 200
    for other in (bob, guest):
        assert other.client.get(f"/api/v1/carts/{token}/").status_code == 404
        assert other.set_line(token, us_merchant, 2).status_code == 404
        assert other.quote(token, "DE").status_code == 404
        assert other.checkout(token, country="DE").status_code == 404
    assert not Order.objects.exists()


def test_a_guest_cart_is_reachable_by_its_token(us_merchant):
    token = Shopper().cart("de", (us_merchant, 1))

    response = Shopper().client.get(f"/api/v1/carts/{token}/")

    assert response.status_code == 200
    assert response.json()["lines"][0]["sku"] == "TEE-1"


def test_an_unknown_cart_is_404(guest):
    response = guest.client.get("/api/v1/carts/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404


def test_a_checked_out_cart_takes_no_new_lines_and_no_second_checkout(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))
    assert guest.checkout(token, country="DE").status_code == 201

    line = guest.set_line(token, us_merchant, 2)
    again = guest.checkout(token, key="key-2", country="DE")

    assert line.status_code == 400
    assert line.json()["code"] == "cart_closed"
    assert again.status_code == 409
    assert again.json()["code"] == "cart_closed"
    assert guest.client.get(f"/api/v1/carts/{token}/").json()["checked_out"] is True
    assert Order.objects.count() == 1


# --- Whose order ------------------------------------------------------------------------------


def test_customers_list_and_read_only_their_own_orders(us_merchant):
    ada, bob = Shopper("ada@example.com"), Shopper("bob@example.com")
    ada_order = ada.checkout(ada.cart("de", (us_merchant, 1)), country="DE").json()["number"]
    bob_order = bob.checkout(bob.cart("de", (us_merchant, 1)), country="DE").json()["number"]

    listed = ada.client.get("/api/v1/orders/").json()

    assert [o["number"] for o in listed["results"]] == [ada_order]
    assert listed["results"][0]["access_token"] is None
    assert ada.client.get(f"/api/v1/orders/{ada_order}/").status_code == 200
    assert ada.client.get(f"/api/v1/orders/{bob_order}/").status_code == 404
    assert bob.client.get(f"/api/v1/orders/{ada_order}/").status_code == 404


def test_a_guest_reads_their_order_with_its_access_token_only(us_merchant):
    guest, stranger, customer = Shopper(), Shopper(), Shopper("ada@example.com")
    body = guest.checkout(guest.cart("de", (us_merchant, 1)), country="DE").json()
    number, access_token = body["number"], body["access_token"]
    assert access_token

    url = f"/api/v1/orders/{number}/"
    found = stranger.client.get(url, HTTP_X_ORDER_TOKEN=access_token)
    assert found.status_code == 200
    assert found.json()["number"] == number
    assert found.json()["access_token"] is None  # only the checkout response carries it
    assert stranger.client.get(url, HTTP_X_ORDER_TOKEN=access_token + "x").status_code == 404
    assert stranger.client.get(url).status_code == 404
    assert customer.client.get(url).status_code == 404
    assert stranger.client.get("/api/v1/orders/SF-NOPE/").status_code == 404


def test_a_guest_cannot_list_orders(guest):
    assert guest.client.get("/api/v1/orders/").status_code in {401, 403}


def test_a_customers_order_is_not_readable_by_its_access_token(us_merchant):
    ada = Shopper("ada@example.com")
    body = ada.checkout(ada.cart("de", (us_merchant, 1)), country="DE").json()

    response = Shopper().client.get(
        f"/api/v1/orders/{body['number']}/", HTTP_X_ORDER_TOKEN=body["access_token"]
    )

    assert response.status_code == 404


# --- Where it can go, what can be bought ------------------------------------------------------


def test_destination_outside_the_carts_market_is_refused(guest, us_merchant):
    token = guest.cart("de", (us_merchant, 1))

    quote = guest.quote(token, "FR")
    checkout = guest.checkout(token, country="FR")

    for response in (quote, checkout):
        assert response.status_code == 400
        assert response.json()["code"] == "destination_not_in_market"
    assert not Order.objects.exists()
    assert _allocated(us_merchant) == 0


def test_a_merchant_not_selling_to_the_market_is_not_available(guest, markets):
    merchant = MerchantFactory(country="US", currency="USD", markets=[markets["us"]])
    variant = VariantFactory(product=ProductFactory(merchant=merchant), price=Decimal("10.00"))
    token = guest.cart("de")

    response = guest.set_line(token, variant, 1)

    assert response.status_code == 400
    assert response.json()["code"] == "not_available"


def test_a_merchant_leaving_the_market_after_the_cart_refuses_checkout(guest, markets, us_merchant):
    token = guest.cart("de", (us_merchant, 1))
    us_merchant.merchant.markets.remove(markets["de"])

    quote = guest.quote(token, "DE")
    checkout = guest.checkout(token, country="DE")

    for response in (quote, checkout):
        assert response.status_code == 400
        assert response.json()["code"] == "not_available"
    assert not Order.objects.exists()
