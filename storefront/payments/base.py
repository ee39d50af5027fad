"""The interface between the store and a payment gateway.

A provider is stateless: the store keeps what was authorized, captured and refunded in its own
Payment rows and passes those figures in, so every rule (no capturing more than authorized, no
refunding more than captured minus refunded, no capturing an expired authorization) is checked
from the arguments. The helpers at the bottom hold those rules once, for every provider.

Money is a `Decimal` in an ISO 4217 currency, never a float; times are timezone-aware UTC.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Protocol, runtime_checkable

from babel.numbers import is_currency

from storefront.money import money_has_valid_exponent


@dataclass(frozen=True)
class CardDetails:
    """What the store may keep about a card: never its number."""

    brand: str
    last4: str
    bin_country: str
    # Stable per card and not reversible: it links a card's orders and attempts (card testing,
    # fraud features) without the store ever holding the number.
    fingerprint: str


@dataclass(frozen=True)
class Authorization:
    provider: str
    authorization_id: str
    amount: Decimal
    currency: str
    authorized_at: datetime
    expires_at: datetime
    card: CardDetails


@dataclass(frozen=True)
class Capture:
    capture_id: str
    amount: Decimal
    captured_at: datetime


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: Decimal
    refunded_at: datetime


class PaymentError(Exception):
    """Base of every payment failure. `message` is safe to show a shopper; `code` is for the
    store's records and may say more (see `shopper_code`)."""

    code = "payment_error"
    default_message = "The payment could not be completed."
    messages: ClassVar[dict[str, str]] = {}

    def __init__(
        self, *, code: str | None = None, message: str | None = None, card_fingerprint: str = ""
    ) -> None:
        self.code = code or type(self).code
        self.message = message or self.messages.get(self.code, self.default_message)
        # Declined and failed attempts are recorded too: card testing shows up by fingerprint.
        self.card_fingerprint = card_fingerprint
        super().__init__(self.message)

    @property
    def shopper_code(self) -> str:
        """The code that may leave the store (API responses): `code` unless it says too much."""
        return self.code


class PaymentDeclined(PaymentError):
    """The issuer (or the gateway's checks) refused the card; retrying will not help."""

    code = "card_declined"
    default_message = "Your card was declined."
    messages = {
        "card_declined": "Your card was declined.",
        "insufficient_funds": "Your card has insufficient funds.",
        "expired_card": "Your card has expired.",
        "incorrect_cvc": "Your card's security code is incorrect.",
        # Telling a fraudster that fraud was detected helps them tune the next attempt.
        "fraudulent": "Your card was declined.",
        "invalid_payment_method": "This payment method is not valid.",
    }
    # Codes recorded by the store but shown to the shopper as a plain decline.
    undisclosed_codes: ClassVar[frozenset[str]] = frozenset({"fraudulent"})

    @property
    def shopper_code(self) -> str:
        return "card_declined" if self.code in self.undisclosed_codes else self.code


class PaymentProviderError(PaymentError):
    """The gateway failed, not the card: retry later."""

    code = "provider_error"
    default_message = "The payment service is unavailable. Please try again in a few minutes."


class PaymentTimeout(PaymentProviderError):
    """No answer in time, so the outcome is unknown: the money may be held. The caller must
    release it by the idempotency key it sent (retrying `authorize` with the same key returns the
    authorization if one was made, which can then be voided)."""

    code = "timeout"

    def __init__(
        self,
        *,
        idempotency_key: str = "",
        code: str | None = None,
        message: str | None = None,
        card_fingerprint: str = "",
    ) -> None:
        super().__init__(code=code, message=message, card_fingerprint=card_fingerprint)
        self.idempotency_key = idempotency_key


class AuthorizationExpired(PaymentError):
    code = "authorization_expired"
    default_message = "The payment authorization has expired. Please pay again."


class InvalidPaymentOperation(PaymentError):
    """The request breaks a rule of the payment's state or of money: a bug or a stale screen,
    never the shopper's card."""

    code = "invalid_operation"
    default_message = "This payment operation is not allowed."
    messages = {
        "invalid_amount": "The amount is not valid for this currency.",
        "invalid_currency": "The currency is not supported.",
        "wrong_provider": "This payment belongs to another payment provider.",
        "already_captured": "This payment has already been captured in full.",
        "amount_exceeds_authorized": "The amount exceeds what is left of the authorization.",
        "not_captured": "Nothing has been captured, so nothing can be refunded.",
        "already_refunded": "This payment has already been refunded in full.",
        "refund_exceeds_captured": "The refund exceeds what is left to refund.",
    }


@runtime_checkable
class PaymentProvider(Protocol):
    name: str

    def authorize(
        self, *, amount: Decimal, currency: str, payment_method: str, idempotency_key: str
    ) -> Authorization: ...

    def capture(
        self,
        *,
        authorization: Authorization,
        amount: Decimal | None = None,
        already_captured: Decimal = Decimal(0),
        now: datetime | None = None,
    ) -> Capture: ...

    def void(self, *, authorization: Authorization) -> None: ...

    def refund(
        self,
        *,
        authorization: Authorization,
        captured: Decimal,
        already_refunded: Decimal,
        amount: Decimal | None = None,
    ) -> Refund: ...


# The rules every provider enforces before it talks to its gateway.


def payment_amount_check(amount: Decimal, currency: str) -> None:
    """An amount to charge or return must be positive and fit the currency (no 100.5 JPY)."""
    _require_decimal(amount, "amount")
    # Without this an unknown code would pass with CLDR's fallback of two decimals.
    if not is_currency(currency):
        raise InvalidPaymentOperation(code="invalid_currency")
    if not amount.is_finite() or amount <= 0 or not money_has_valid_exponent(amount, currency):
        raise InvalidPaymentOperation(code="invalid_amount")


def capture_amount_resolve(
    authorization: Authorization, amount: Decimal | None, already_captured: Decimal
) -> Decimal:
    """What to capture: the rest of the authorization by default, never more than it."""
    _require_bookkeeping(already_captured, "already_captured")
    remaining = authorization.amount - already_captured
    if amount is None:
        if remaining <= 0:
            raise InvalidPaymentOperation(code="already_captured")
        return remaining
    payment_amount_check(amount, authorization.currency)
    if amount > remaining:
        code = "already_captured" if remaining <= 0 else "amount_exceeds_authorized"
        raise InvalidPaymentOperation(code=code)
    return amount


def refund_amount_resolve(
    authorization: Authorization,
    amount: Decimal | None,
    captured: Decimal,
    already_refunded: Decimal,
) -> Decimal:
    """What to refund: everything captured and not yet refunded by default, never more."""
    _require_bookkeeping(captured, "captured")
    _require_bookkeeping(already_refunded, "already_refunded")
    if captured <= 0:
        raise InvalidPaymentOperation(code="not_captured")
    remaining = captured - already_refunded
    if amount is None:
        if remaining <= 0:
            raise InvalidPaymentOperation(code="already_refunded")
        return remaining
    payment_amount_check(amount, authorization.currency)
    if amount > remaining:
        code = "already_refunded" if remaining <= 0 else "refund_exceeds_captured"
        raise InvalidPaymentOperation(code=code)
    return amount


def _require_decimal(value: object, name: str) -> None:
    # A float here means a rounding bug upstream; failing loudly beats charging 0.1 + 0.2.
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}.")


def _require_bookkeeping(value: Decimal, name: str) -> None:
    """The store's own totals: a negative one is a bug in the store, not the shopper's fault."""
    _require_decimal(value, name)
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite amount of zero or more, not {value}.")
