"""A built-in gateway for development, tests and demos, like Stripe's test mode.

Deterministic and offline: the payment method token decides the outcome.

    pm_card_visa, pm_card_mastercard, pm_card_jp, pm_card_de   approve (US, GB, JP, DE cards)
    pm_card_declined            PaymentDeclined card_declined
    pm_card_insufficient_funds  PaymentDeclined insufficient_funds
    pm_card_expired             PaymentDeclined expired_card
    pm_card_incorrect_cvc       PaymentDeclined incorrect_cvc
    pm_card_fraudulent          PaymentDeclined fraudulent (the shopper reads a plain decline)
    pm_card_error               PaymentProviderError
    pm_card_timeout             PaymentTimeout, at once (nothing sleeps)
    pm_card_capture_error       authorizes; every capture raises PaymentProviderError
    pm_card_<brand>_<CC>_<tag>  approves a card of that brand from country CC, e.g.
                                pm_card_visa_FR_42; each distinct token is a distinct card
                                (its own fingerprint and last4), so a demo store can seed many
                                cards and the fraud features see real variety. brand is one of
                                BRANDS, CC an ISO 3166 alpha-2 code in capitals, tag [A-Za-z0-9]+.
    anything else               PaymentDeclined invalid_payment_method

Ids are hashes of the request, so a retried call with the same idempotency key (authorize) or
the same figures (capture, refund) gets the same id back, as Stripe's idempotency does. Being
stateless, it cannot refuse a key reused with other figures (Stripe does): those get a new id.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache

from babel import Locale

from storefront.money import money_quantize
from storefront.payments.base import (
    Authorization,
    AuthorizationExpired,
    Capture,
    CardDetails,
    InvalidPaymentOperation,
    PaymentDeclined,
    PaymentProviderError,
    PaymentTimeout,
    Refund,
    capture_amount_resolve,
    payment_amount_check,
    refund_amount_resolve,
)

# The typical hold of a card network on an authorization before the issuer releases the money.
AUTHORIZATION_VALIDITY = timedelta(days=7)

# Public on purpose: fingerprints only have to be stable and not reversible to a card number,
# and test cards have no number to protect.
_FINGERPRINT_KEY = b"storefront-test-provider-fingerprint-v1"
_FINGERPRINT_LENGTH = 24
_ID_HASH_LENGTH = 24


@dataclass(frozen=True)
class _TestCard:
    brand: str
    last4: str
    bin_country: str


# Last digits of Stripe's matching test card numbers, so the admin looks familiar.
_APPROVED_CARDS = {
    "pm_card_visa": _TestCard("visa", "4242", "US"),
    "pm_card_mastercard": _TestCard("mastercard", "4444", "GB"),
    "pm_card_jp": _TestCard("visa", "0003", "JP"),
    "pm_card_de": _TestCard("visa", "0016", "DE"),
    "pm_card_capture_error": _TestCard("visa", "0341", "US"),
}
_DECLINE_CODES = {
    "pm_card_declined": "card_declined",
    "pm_card_insufficient_funds": "insufficient_funds",
    "pm_card_expired": "expired_card",
    "pm_card_incorrect_cvc": "incorrect_cvc",
    "pm_card_fraudulent": "fraudulent",
}
_PROVIDER_ERROR = "pm_card_error"
_TIMEOUT = "pm_card_timeout"
_CAPTURE_ERROR = "pm_card_capture_error"

BRANDS = frozenset({"visa", "mastercard", "amex", "jcb", "unionpay"})
_GENERATED_CARD = re.compile(r"pm_card_(?P<brand>[a-z]+)_(?P<country>[A-Z]{2})_[A-Za-z0-9]+")


def card_fingerprint(payment_method: str) -> str:
    """HMAC-SHA256 of the token: stable per card, and the token cannot be read back from it."""
    return _token_digest(payment_method).hex()[:_FINGERPRINT_LENGTH]


def _token_digest(payment_method: str) -> bytes:
    return hmac.new(_FINGERPRINT_KEY, payment_method.encode(), hashlib.sha256).digest()


class TestPaymentProvider:
    name = "test"
    # The name starts with "Test" and the module with "test_": keep pytest from collecting it.
    __test__ = False

    def authorize(
        self, *, amount: Decimal, currency: str, payment_method: str, idempotency_key: str
    ) -> Authorization:
        payment_amount_check(amount, currency)
        card = _card_or_raise(payment_method, idempotency_key)
        # Same key and same request, same id: a retry after a lost answer finds the same hold.
        authorization_id = "auth_" + _request_hash(
            idempotency_key, payment_method, money_quantize(amount, currency), currency
        )
        authorized_at = datetime.now(UTC)
        return Authorization(
            provider=self.name,
            authorization_id=authorization_id,
            # 100 EUR is kept as 100.00: the store's rows and the ids see one spelling.
            amount=money_quantize(amount, currency),
            currency=currency,
            authorized_at=authorized_at,
            expires_at=authorized_at + AUTHORIZATION_VALIDITY,
            card=card,
        )

    def capture(
        self,
        *,
        authorization: Authorization,
        amount: Decimal | None = None,
        already_captured: Decimal = Decimal(0),
        now: datetime | None = None,
    ) -> Capture:
        self._check_own(authorization)
        now = _utc_now_or(now)
        if now >= authorization.expires_at:
            raise AuthorizationExpired(card_fingerprint=authorization.card.fingerprint)
        amount = capture_amount_resolve(authorization, amount, already_captured)
        # Fails only once the request is valid, as a gateway outage would.
        if authorization.card.fingerprint == card_fingerprint(_CAPTURE_ERROR):
            raise PaymentProviderError(card_fingerprint=authorization.card.fingerprint)
        return Capture(
            capture_id="cap_" + _money_hash(authorization, amount, already_captured),
            amount=amount,
            captured_at=now,
        )

    def void(self, *, authorization: Authorization) -> None:
        # Nothing to undo in a stateless simulator; voiding an expired hold is harmless too.
        self._check_own(authorization)

    def refund(
        self,
        *,
        authorization: Authorization,
        captured: Decimal,
        already_refunded: Decimal,
        amount: Decimal | None = None,
    ) -> Refund:
        self._check_own(authorization)
        amount = refund_amount_resolve(authorization, amount, captured, already_refunded)
        return Refund(
            refund_id="re_" + _money_hash(authorization, amount, already_refunded),
            amount=amount,
            refunded_at=datetime.now(UTC),
        )

    def _check_own(self, authorization: Authorization) -> None:
        if authorization.provider != self.name:
            raise InvalidPaymentOperation(code="wrong_provider")


def card_details(payment_method: str) -> CardDetails:
    """The card behind an approving test token, as an authorization would report it (the demo
    store records its payments without calling the provider for each)."""
    return _card_or_raise(payment_method, idempotency_key="")


def _card_or_raise(payment_method: str, idempotency_key: str) -> CardDetails:
    fingerprint = card_fingerprint(payment_method)
    if payment_method in _DECLINE_CODES:
        raise PaymentDeclined(code=_DECLINE_CODES[payment_method], card_fingerprint=fingerprint)
    if payment_method == _PROVIDER_ERROR:
        raise PaymentProviderError(card_fingerprint=fingerprint)
    if payment_method == _TIMEOUT:
        raise PaymentTimeout(idempotency_key=idempotency_key, card_fingerprint=fingerprint)
    card = _APPROVED_CARDS.get(payment_method) or _generated_card(payment_method)
    if card is None:
        # No card behind the token, so no fingerprint to record.
        raise PaymentDeclined(code="invalid_payment_method")
    return CardDetails(
        brand=card.brand, last4=card.last4, bin_country=card.bin_country, fingerprint=fingerprint
    )


def _generated_card(payment_method: str) -> _TestCard | None:
    match = _GENERATED_CARD.fullmatch(payment_method)
    if match is None or match["brand"] not in BRANDS or not _is_country(match["country"]):
        return None
    # Four digits drawn from the token's hash (not from the fingerprint's bytes): distinct
    # cards rarely share a last4, and the same token always gets the same one.
    last4 = f"{int.from_bytes(_token_digest(payment_method)[-4:]) % 10_000:04d}"
    return _TestCard(match["brand"], last4, match["country"])


def _is_country(code: str) -> bool:
    return code in _countries()


@cache
def _countries() -> frozenset[str]:
    # CLDR also lists groupings such as EU and UN and the unknown region ZZ: not card countries.
    territories = {code for code in Locale("en").territories if code.isalpha()}
    return frozenset(territories - {"EU", "EZ", "UN", "ZZ", "QO"})


def _utc_now_or(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware.")
    return now


def _money_hash(authorization: Authorization, amount: Decimal, before: Decimal) -> str:
    """Hashes an operation on an authorization; `before` (the total already captured or
    refunded) tells a second partial capture of the same amount from a retry of the first."""
    currency = authorization.currency
    return _request_hash(
        authorization.authorization_id,
        money_quantize(amount, currency),
        money_quantize(before, currency),
    )


def _request_hash(*parts: object) -> str:
    # A JSON list keeps the parts apart: ("a_b", "c") and ("a", "b_c") hash differently.
    encoded = json.dumps([str(part) for part in parts]).encode()
    return hashlib.sha256(encoded).hexdigest()[:_ID_HASH_LENGTH]
