"""Checkout: a cart becomes an order, its stock is held, the card authorized, the risk hook
decides, and the money is captured, held for review, or released.

The rules a shopper relies on:
- A repeated request with the same Idempotency-Key gets the same answer and never a second order.
- Stock is held with one conditional UPDATE per variant: two checkouts cannot both take the last
  unit, on any database.
- A declined or failed payment leaves nothing behind (no order, no held stock); the attempt is
  recorded, because repeated failures are what card testing looks like.
- A checkout never fails because the risk model did: the hook failing sends the order to review.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.services import variant_allocate
from storefront.errors import Conflict, InvalidInput, StorefrontError
from storefront.models import Cart, Customer, IdempotencyRecord, Order, PaymentAttempt
from storefront.payments.base import PaymentDeclined, PaymentError, PaymentTimeout
from storefront.payments.registry import payment_provider_get
from storefront.selectors.checkout import Quote, checkout_quote
from storefront.services import orders as order_services
from storefront.services.events import purchase_events_record

logger = logging.getLogger(__name__)

Status = Order.Status


class PaymentFailed(StorefrontError):
    status_code = 402
    code = "payment_failed"
    default_message = "The payment was not accepted."


@dataclass(frozen=True)
class RiskDecision:
    action: Literal["allow", "review", "block"]
    score: float | None = None
    reasons: tuple[str, ...] = ()
    provenance: dict = field(
        default_factory=lambda: {"source": "baseline:none", "model_version": None}
    )


def risk_allow_all(*, order: Order) -> RiskDecision:
    """The default hook until risk scoring is configured: every authorized order is captured."""
    return RiskDecision("allow", reasons=("no risk scoring configured",))


def _risk_decide(order: Order) -> RiskDecision:
    try:
        return import_string(settings.CHECKOUT_RISK_HOOK)(order=order)
    except Exception:
        logger.exception("risk hook failed for order %s; holding it for review", order.number)
        return RiskDecision("review", reasons=("risk assessment unavailable",))


@dataclass(frozen=True)
class CheckoutRequest:
    email: str
    shipping_address: dict
    billing_country: str
    payment_method: str
    client_ip: str | None = None
    ip_country: str = ""
    device_id: str = ""


# --- Idempotency ------------------------------------------------------------------------------


def request_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentResult:
    status_code: int
    body: dict
    replayed: bool


def idempotent_run(*, scope: str, key: str, request_hash: str, run) -> IdempotentResult:
    """Runs `run() -> (status, body)` once per (scope, key). A repeat with the same request gets
    the stored answer; with a different request, 409. Input errors (4xx raised before anything
    happened) are not stored, so the shopper can fix the request and retry with the same key."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                scope=scope, key=key, request_hash=request_hash, status_code=0, response={}
            )
    except IntegrityError:
        existing = IdempotencyRecord.objects.get(scope=scope, key=key)
        if existing.request_hash != request_hash:
            raise Conflict(
                "This Idempotency-Key was used for a different request.",
                code="idempotency_key_reused",
            ) from None
        if existing.status_code == 0:
            raise Conflict(
                "The first request with this key is still running.", code="request_in_progress"
            ) from None
        return IdempotentResult(existing.status_code, existing.response, replayed=True)
    try:
        status_code, body = run()
    except PaymentFailed as failure:
        status_code, body = failure.status_code, failure.as_dict()
    except BaseException:
        record.delete()
        raise
    record.status_code, record.response = status_code, body
    record.save(update_fields=["status_code", "response"])
    return IdempotentResult(status_code, body, replayed=False)


# --- Placing the order ------------------------------------------------------------------------


def _order_create(
    cart: Cart, customer: Customer | None, request: CheckoutRequest, quote: Quote
) -> Order:
    landed = quote.landed_cost
    order = Order.objects.create(
        customer=customer,
        email=request.email.strip().lower(),
        market=cart.market,
        currency=quote.currency,
        shipping_address=request.shipping_address,
        billing_country=request.billing_country,
        **order_services.order_totals(landed),
        landed_cost=_landed_cost_record(quote),
        exchange_rates=list(quote.rates_used),
        client_ip=request.client_ip,
        ip_country=request.ip_country,
        device_id=request.device_id,
    )
    for parcel, charges in zip(quote.parcels, landed.consignments, strict=True):
        for line, line_charges in zip(parcel.lines, charges.lines, strict=True):
            variant = line.variant
            order_services.order_line_build(
                order=order,
                variant=variant,
                quantity=line.quantity,
                unit_price=line.unit_price,
                merchant_unit_price=variant.price,
                charges=line_charges,
            ).save()
            if not variant_allocate(variant_id=variant.pk, quantity=line.quantity):
                raise InvalidInput(
                    "Not enough stock.",
                    code="out_of_stock",
                    details={"quantity": [f"{variant.sku} sold out while you were checking out."]},
                )
    order_services.order_event_add(
        order=order, kind="placed", actor_label="shopper", to_status=Status.PENDING
    )
    return order


def _landed_cost_record(quote: Quote) -> dict:
    return {
        "consignments": [
            {
                "merchant": parcel.merchant.pk,
                "ships_from": parcel.merchant.country,
                "shipping": str(charges.shipping),
                "shipping_days": [parcel.shipping_rate.min_days, parcel.shipping_rate.max_days],
                "duty": str(charges.duty),
                "tax": str(charges.tax),
                "tax_rate": str(charges.tax_rate),
                "duty_collection": charges.duty_collection,
                "tax_collection": charges.tax_collection,
                "due_at_sale": str(charges.due_at_sale),
                "due_on_delivery": str(charges.due_on_delivery),
                "notes": list(charges.notes),
            }
            for parcel, charges in zip(quote.parcels, quote.landed_cost.consignments, strict=True)
        ]
    }


def _attempt_record(*, cart, customer, request, quote, outcome, fingerprint="", order=None):
    attempt = PaymentAttempt.objects.create(
        customer=customer,
        email=request.email.strip().lower(),
        cart_token=cart.token,
        order=order,
        amount=quote.landed_cost.due_at_sale,
        currency=quote.currency,
        outcome=outcome,
        card_fingerprint=fingerprint,
        client_ip=request.client_ip,
    )
    _attempt_observe(attempt, request)


def _attempt_observe(attempt: PaymentAttempt, request: CheckoutRequest) -> None:
    """Tells the risk side about the attempt; its failing never touches the checkout."""
    if not settings.CHECKOUT_ATTEMPT_HOOK:
        return
    try:
        with transaction.atomic():  # a savepoint: a failing hook leaves a caller's transaction
            import_string(settings.CHECKOUT_ATTEMPT_HOOK)(attempt=attempt, request=request)
    except Exception:
        logger.exception("the payment attempt hook failed for attempt %s", attempt.pk)


def _order_discard(order: Order) -> None:
    """Undoes a placed order whose payment failed: its held stock and the order itself go."""
    with transaction.atomic():
        order_services.order_stock_release(order=order)
        order.delete()


def _release_unknown_authorization(provider, authorize) -> None:
    """After a timeout the gateway may have authorized anyway: asking again with the same
    idempotency key returns that authorization, which is voided so no money stays held."""
    try:
        provider.void(authorization=authorize())
    except PaymentError:
        logger.warning("authorization after a timeout could not be looked up or voided")


def _authorize(cart, customer, request, quote, order):
    provider = payment_provider_get()

    def authorize():
        return provider.authorize(
            amount=quote.landed_cost.due_at_sale,
            currency=quote.currency,
            payment_method=request.payment_method,
            idempotency_key=f"order-{order.number}",
        )

    try:
        authorization = authorize()
    except PaymentError as error:
        if isinstance(error, PaymentTimeout):
            _release_unknown_authorization(provider, authorize)
        _attempt_record(
            cart=cart,
            customer=customer,
            request=request,
            quote=quote,
            outcome=error.code,
            fingerprint=getattr(error, "card_fingerprint", ""),
        )
        _order_discard(order)
        if isinstance(error, PaymentDeclined):
            raise PaymentFailed(error.message, code=error.shopper_code) from error
        raise PaymentFailed(
            "The payment service is not answering; nothing was charged. Please try again.",
            code="payment_unavailable",
        ) from error
    _attempt_record(
        cart=cart,
        customer=customer,
        request=request,
        quote=quote,
        outcome="authorized",
        fingerprint=authorization.card.fingerprint,
        order=order,
    )
    return order_services.payment_record(order=order, authorization=authorization)


def _risk_apply(order: Order, payment) -> Order:
    decision = _risk_decide(order)
    data = {
        "score": decision.score,
        "reasons": list(decision.reasons),
        "provenance": decision.provenance,
    }
    order_services.order_event_add(
        order=order, kind="risk_assessed", actor_label="risk", reason=decision.action, data=data
    )
    if decision.action == "review":
        return order_services.order_transition(
            order=order, to=Status.ON_HOLD, actor_label="risk", reason="held for review", data=data
        )
    if decision.action == "block":
        order_services.order_cancel(order=order, reason="declined by risk assessment")
        # The shopper learns nothing about which rule or score refused them.
        raise PaymentFailed("The payment was not accepted.", code="payment_refused")
    try:
        order_services.payment_capture(payment=payment)
    except PaymentError as error:
        order_services.payment_void(payment=payment)
        _order_discard(order)
        raise PaymentFailed(
            "The payment could not be completed; nothing was charged. Please try again.",
            code="payment_unavailable",
        ) from error
    return order_services.order_transition(order=order, to=Status.PAID, reason="captured")


def _cart_claim(cart: Cart, now: datetime) -> None:
    """Marks the cart checked out with one conditional UPDATE, so that two overlapping
    checkouts of one cart (a double click with two keys) cannot both place an order."""
    claimed = Cart.objects.filter(pk=cart.pk, checked_out_at__isnull=True).update(
        checked_out_at=now
    )
    if not claimed:
        raise Conflict("This cart has already been checked out.", code="cart_closed")
    cart.checked_out_at = now


def _cart_reopen(cart: Cart) -> None:
    Cart.objects.filter(pk=cart.pk).update(checked_out_at=None)
    cart.checked_out_at = None


def checkout_complete(
    *, cart: Cart, customer: Customer | None, request: CheckoutRequest, now: datetime | None = None
) -> Order:
    """Places, pays and captures (or holds) the order for `cart`. Raises InvalidInput for what
    the shopper must fix, PaymentFailed (402) when the money did not move; either way the cart
    stays open for another try."""
    now = now or timezone.now()
    address = request.shipping_address
    _cart_claim(cart, now)
    try:
        quote = checkout_quote(
            cart=cart,
            country=address.get("country", ""),
            region=address.get("region", ""),
            now=now,
        )
        with transaction.atomic():
            order = _order_create(cart, customer, request, quote)
        payment = _authorize(cart, customer, request, quote, order)
        order = _risk_apply(order, payment)
    except BaseException:
        _cart_reopen(cart)
        raise
    if order.status == Status.PAID:
        purchase_events_record(order=order)
    return order
