"""The payment interface, through the built-in test provider and the registry."""

import re
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from storefront.payments import (
    Authorization,
    AuthorizationExpired,
    InvalidPaymentOperation,
    PaymentDeclined,
    PaymentError,
    PaymentProvider,
    PaymentProviderError,
    PaymentTimeout,
    payment_provider_get,
)
from storefront.payments.test_provider import (
    AUTHORIZATION_VALIDITY,
    TestPaymentProvider,
    card_fingerprint,
)


@pytest.fixture
def provider() -> TestPaymentProvider:
    return TestPaymentProvider()


def _authorize(
    provider: TestPaymentProvider,
    payment_method: str = "pm_card_visa",
    amount: str = "100.00",
    currency: str = "EUR",
    key: str = "order-1",
) -> Authorization:
    return provider.authorize(
        amount=Decimal(amount),
        currency=currency,
        payment_method=payment_method,
        idempotency_key=key,
    )


def _raised(provider: TestPaymentProvider, token: str) -> PaymentError:
    with pytest.raises(PaymentError) as caught:
        _authorize(provider, token)
    return caught.value


# Authorize


@pytest.mark.parametrize(
    ("token", "brand", "country"),
    [
        ("pm_card_visa", "visa", "US"),
        ("pm_card_mastercard", "mastercard", "GB"),
        ("pm_card_jp", "visa", "JP"),
        ("pm_card_de", "visa", "DE"),
        ("pm_card_capture_error", "visa", "US"),
    ],
)
def test_approving_tokens_authorize_with_their_card(provider, token, brand, country):
    authorization = _authorize(provider, token)

    assert authorization.provider == "test"
    assert authorization.authorization_id.startswith("auth_")
    assert authorization.amount == Decimal("100.00")
    assert authorization.currency == "EUR"
    assert (authorization.card.brand, authorization.card.bin_country) == (brand, country)
    assert re.fullmatch(r"\d{4}", authorization.card.last4)


def test_an_authorization_holds_for_seven_days_in_utc(provider):
    before = datetime.now(UTC)
    authorization = _authorize(provider)

    assert before <= authorization.authorized_at <= datetime.now(UTC)
    assert authorization.authorized_at.tzinfo is not None
    assert authorization.expires_at - authorization.authorized_at == timedelta(days=7)
    assert timedelta(days=7) == AUTHORIZATION_VALIDITY


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("pm_card_declined", "card_declined"),
        ("pm_card_insufficient_funds", "insufficient_funds"),
        ("pm_card_expired", "expired_card"),
        ("pm_card_incorrect_cvc", "incorrect_cvc"),
        ("pm_card_fraudulent", "fraudulent"),
    ],
)
def test_declining_tokens_raise_their_code_with_the_card_fingerprint(provider, token, code):
    error = _raised(provider, token)

    assert type(error) is PaymentDeclined
    assert error.code == code
    assert error.message
    # Declined attempts are recorded by fingerprint: that is how card testing shows.
    assert error.card_fingerprint == card_fingerprint(token)


def test_a_fraudulent_decline_reads_as_a_plain_decline_to_the_shopper(provider):
    error = _raised(provider, "pm_card_fraudulent")

    assert error.code == "fraudulent"
    assert error.message == "Your card was declined."
    assert "fraud" not in str(error).lower()
    assert error.shopper_code == "card_declined"


def test_other_declines_show_their_own_code_to_the_shopper(provider):
    assert _raised(provider, "pm_card_insufficient_funds").shopper_code == "insufficient_funds"


def test_a_gateway_error_is_a_provider_error_to_retry(provider):
    error = _raised(provider, "pm_card_error")

    assert type(error) is PaymentProviderError
    assert error.code == "provider_error"


def test_a_timeout_is_a_provider_error_that_carries_the_key_to_void_by(provider):
    error = _raised(provider, "pm_card_timeout")

    assert isinstance(error, PaymentTimeout)
    assert isinstance(error, PaymentProviderError)
    assert error.code == "timeout"
    assert error.idempotency_key == "order-1"


@pytest.mark.parametrize(
    "token",
    [
        "pm_card_unknown",
        "",
        "tok_visa",
        "pm_card_visa_FR",
        "pm_card_visa_fr_1",
        "pm_card_bogus_FR_1",
    ],
)
def test_an_unknown_token_is_an_invalid_payment_method(provider, token):
    error = _raised(provider, token)

    assert isinstance(error, PaymentDeclined)
    assert error.code == "invalid_payment_method"
    assert error.message == "This payment method is not valid."


def test_generated_tokens_make_distinct_cards_for_a_demo_store(provider):
    first = _authorize(provider, "pm_card_visa_FR_42").card
    again = _authorize(provider, "pm_card_visa_FR_42", key="order-2").card
    other = _authorize(provider, "pm_card_mastercard_BR_7").card

    assert (first.brand, first.bin_country) == ("visa", "FR")
    assert (other.brand, other.bin_country) == ("mastercard", "BR")
    assert first == again
    assert first.fingerprint != other.fingerprint


def test_a_generated_token_needs_a_real_country(provider):
    assert _raised(provider, "pm_card_visa_ZZ_1").code == "invalid_payment_method"


def test_authorize_is_idempotent_by_key(provider):
    first = _authorize(provider, key="order-1")

    assert _authorize(provider, key="order-1").authorization_id == first.authorization_id
    assert _authorize(provider, key="order-2").authorization_id != first.authorization_id
    # Another amount under the same key is another request, not a replay.
    assert _authorize(provider, amount="99.00").authorization_id != first.authorization_id


def test_the_same_amount_written_differently_is_the_same_request(provider):
    assert (
        _authorize(provider, amount="100").authorization_id
        == _authorize(provider, amount="100.00").authorization_id
    )


# Amounts


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("100.5", "JPY"), ("10.005", "EUR"), ("0", "EUR"), ("-1.00", "EUR"), ("NaN", "EUR")],
)
def test_an_amount_that_does_not_fit_the_currency_is_refused(provider, amount, currency):
    with pytest.raises(InvalidPaymentOperation) as caught:
        _authorize(provider, amount=amount, currency=currency)

    assert caught.value.code == "invalid_amount"


def test_amounts_in_the_currency_exponent_are_accepted(provider):
    assert _authorize(provider, amount="1500", currency="JPY").amount == Decimal(1500)
    assert _authorize(provider, amount="1.234", currency="KWD").amount == Decimal("1.234")


def test_an_unknown_currency_is_refused(provider):
    with pytest.raises(InvalidPaymentOperation) as caught:
        _authorize(provider, currency="EURO")

    assert caught.value.code == "invalid_currency"


def test_a_float_amount_is_a_programming_error(provider):
    with pytest.raises(TypeError):
        provider.authorize(
            amount=10.5, currency="EUR", payment_method="pm_card_visa", idempotency_key="k"
        )


# Capture


def test_capture_takes_the_whole_authorization_by_default(provider):
    authorization = _authorize(provider)

    capture = provider.capture(authorization=authorization)

    assert capture.amount == Decimal("100.00")
    assert capture.capture_id.startswith("cap_")
    assert capture.captured_at.tzinfo is not None


def test_partial_captures_add_up_to_the_authorization(provider):
    authorization = _authorize(provider)

    first = provider.capture(authorization=authorization, amount=Decimal("30.00"))
    rest = provider.capture(authorization=authorization, already_captured=Decimal("30.00"))

    assert first.amount == Decimal("30.00")
    assert rest.amount == Decimal("70.00")
    assert first.capture_id != rest.capture_id


def test_a_retried_capture_gets_the_same_id(provider):
    authorization = _authorize(provider)

    first = provider.capture(authorization=authorization, amount=Decimal("30.00"))
    retry = provider.capture(authorization=authorization, amount=Decimal("30.00"))

    assert retry.capture_id == first.capture_id


def test_capturing_more_than_authorized_is_refused(provider):
    authorization = _authorize(provider)

    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.capture(
            authorization=authorization,
            amount=Decimal("80.00"),
            already_captured=Decimal("30.00"),
        )

    assert caught.value.code == "amount_exceeds_authorized"


def test_capturing_a_fully_captured_authorization_is_refused(provider):
    authorization = _authorize(provider)

    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.capture(authorization=authorization, already_captured=Decimal("100.00"))

    assert caught.value.code == "already_captured"


def test_a_capture_amount_must_fit_the_currency(provider):
    authorization = _authorize(provider, amount="1000", currency="JPY")

    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.capture(authorization=authorization, amount=Decimal("100.5"))

    assert caught.value.code == "invalid_amount"


def test_capture_is_allowed_until_the_hold_expires(provider):
    authorization = _authorize(provider)
    just_before = authorization.authorized_at + AUTHORIZATION_VALIDITY - timedelta(seconds=1)

    assert provider.capture(authorization=authorization, now=just_before).amount
    with pytest.raises(AuthorizationExpired) as caught:
        provider.capture(authorization=authorization, now=authorization.expires_at)

    assert caught.value.code == "authorization_expired"


def test_capture_after_seven_days_is_refused(provider):
    authorization = _authorize(provider)

    with pytest.raises(AuthorizationExpired):
        provider.capture(
            authorization=authorization, now=authorization.authorized_at + timedelta(days=8)
        )


def test_a_naive_now_is_refused(provider):
    with pytest.raises(ValueError, match="timezone-aware"):
        provider.capture(authorization=_authorize(provider), now=datetime(2030, 1, 1))


def test_the_capture_error_card_fails_at_capture(provider):
    authorization = _authorize(provider, "pm_card_capture_error")

    with pytest.raises(PaymentProviderError) as caught:
        provider.capture(authorization=authorization)

    assert caught.value.code == "provider_error"


def test_another_providers_authorization_is_refused(provider):
    foreign = replace(_authorize(provider), provider="stripe")

    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.capture(authorization=foreign)

    assert caught.value.code == "wrong_provider"


# Void


def test_void_releases_an_authorization(provider):
    assert provider.void(authorization=_authorize(provider)) is None


def test_void_refuses_another_providers_authorization(provider):
    with pytest.raises(InvalidPaymentOperation):
        provider.void(authorization=replace(_authorize(provider), provider="stripe"))


# Refund


def test_a_partial_refund_then_the_rest(provider):
    authorization = _authorize(provider)
    captured = Decimal("100.00")

    first = provider.refund(
        authorization=authorization,
        captured=captured,
        already_refunded=Decimal(0),
        amount=Decimal("25.00"),
    )
    rest = provider.refund(
        authorization=authorization, captured=captured, already_refunded=Decimal("25.00")
    )

    assert first.amount == Decimal("25.00")
    assert rest.amount == Decimal("75.00")
    assert first.refund_id.startswith("re_")
    assert first.refund_id != rest.refund_id
    assert rest.refunded_at.tzinfo is not None


def test_a_full_refund_returns_what_was_captured_not_what_was_authorized(provider):
    refund = provider.refund(
        authorization=_authorize(provider),
        captured=Decimal("60.00"),
        already_refunded=Decimal(0),
    )

    assert refund.amount == Decimal("60.00")


def test_refunding_more_than_captured_minus_refunded_is_refused(provider):
    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.refund(
            authorization=_authorize(provider),
            captured=Decimal("60.00"),
            already_refunded=Decimal("50.00"),
            amount=Decimal("10.01"),
        )

    assert caught.value.code == "refund_exceeds_captured"


def test_refunding_a_fully_refunded_payment_is_refused(provider):
    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.refund(
            authorization=_authorize(provider),
            captured=Decimal("60.00"),
            already_refunded=Decimal("60.00"),
        )

    assert caught.value.code == "already_refunded"


def test_refunding_before_any_capture_is_refused(provider):
    with pytest.raises(InvalidPaymentOperation) as caught:
        provider.refund(
            authorization=_authorize(provider),
            captured=Decimal(0),
            already_refunded=Decimal(0),
        )

    assert caught.value.code == "not_captured"


def test_a_negative_total_from_the_store_is_a_bug_not_a_refund(provider):
    with pytest.raises(ValueError, match="already_refunded"):
        provider.refund(
            authorization=_authorize(provider),
            captured=Decimal("60.00"),
            already_refunded=Decimal("-1"),
        )


# Card details


def test_the_fingerprint_is_stable_per_card_and_differs_between_cards(provider):
    visa = _authorize(provider, "pm_card_visa", key="a").card.fingerprint
    visa_again = _authorize(provider, "pm_card_visa", key="b", amount="5.00").card.fingerprint
    mastercard = _authorize(provider, "pm_card_mastercard").card.fingerprint

    assert visa == visa_again
    assert visa != mastercard
    assert re.fullmatch(r"[0-9a-f]{24}", visa)


@pytest.mark.parametrize("token", ["pm_card_visa", "pm_card_mastercard", "pm_card_visa_FR_42"])
def test_card_details_hold_no_card_number(provider, token):
    card = _authorize(provider, token).card

    assert card.last4 not in card.fingerprint
    assert token not in card.fingerprint
    # A card number is 12 to 19 digits; nothing kept about the card has such a run.
    assert not any(re.search(r"\d{12,}", value) for value in asdict(card).values())


# Registry


@pytest.fixture
def fresh_registry():
    payment_provider_get.cache_clear()
    yield
    payment_provider_get.cache_clear()


def test_the_registry_defaults_to_the_test_provider(settings, fresh_registry):
    del settings.PAYMENT_PROVIDERS
    del settings.PAYMENT_DEFAULT_PROVIDER

    provider = payment_provider_get()

    assert isinstance(provider, TestPaymentProvider)
    assert isinstance(provider, PaymentProvider)
    assert payment_provider_get("test") is provider


def test_the_registry_returns_the_configured_provider(settings, fresh_registry):
    settings.PAYMENT_PROVIDERS = {
        "sandbox": "storefront.payments.test_provider.TestPaymentProvider"
    }
    settings.PAYMENT_DEFAULT_PROVIDER = "sandbox"

    assert isinstance(payment_provider_get(), TestPaymentProvider)
    assert payment_provider_get("sandbox") is payment_provider_get()


def test_the_registry_refuses_an_unknown_name(settings, fresh_registry):
    settings.PAYMENT_PROVIDERS = {"test": "storefront.payments.test_provider.TestPaymentProvider"}

    with pytest.raises(ValueError, match=r"'paypal'.*PAYMENT_PROVIDERS has test"):
        payment_provider_get("paypal")
    with pytest.raises(ImproperlyConfigured):
        payment_provider_get("paypal")


def test_the_registry_refuses_a_path_that_does_not_import(settings, fresh_registry):
    settings.PAYMENT_PROVIDERS = {"broken": "storefront.payments.nowhere.Provider"}

    with pytest.raises(ImproperlyConfigured, match="cannot be imported"):
        payment_provider_get("broken")
