"""An order's life after checkout: every status change is checked against the allowed flow and
logged with who and why; money moves through the payment provider."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalog.models import Merchant
from catalog.services import variant_deallocate, variant_stock_ship
from storefront.errors import Conflict, ServiceUnavailable
from storefront.landed_cost import LandedCost, LineCharges
from storefront.models import Order, OrderEvent, OrderLine, Payment, Shipment
from storefront.payments.base import Authorization, AuthorizationExpired, CardDetails, PaymentError
from storefront.payments.registry import payment_provider_get
from storefront.services.events import purchase_events_record

Status = Order.Status

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING: {Status.ON_HOLD, Status.PAID, Status.CANCELLED},
    Status.ON_HOLD: {Status.PAID, Status.CANCELLED},
    Status.PAID: {Status.FULFILLED, Status.SHIPPED, Status.CANCELLED, Status.REFUNDED},
    Status.FULFILLED: {Status.SHIPPED, Status.REFUNDED},
    Status.SHIPPED: {Status.DELIVERED, Status.REFUNDED},
    Status.DELIVERED: {Status.REFUNDED},
    Status.CANCELLED: set(),
    Status.REFUNDED: set(),
}

# Orders whose stock is still held for them (allocated, not shipped).
_HOLDS_STOCK = {Status.PENDING, Status.ON_HOLD, Status.PAID, Status.FULFILLED}


def order_event_add(
    *,
    order: Order,
    kind: str,
    actor=None,
    actor_label: str = "system",
    reason: str = "",
    data: dict | None = None,
    from_status: str = "",
    to_status: str = "",
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        actor_label=actor_label if actor is None else str(actor),
        reason=reason,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )


@transaction.atomic
def order_transition(
    *,
    order: Order,
    to: str,
    actor=None,
    actor_label: str = "system",
    reason: str = "",
    data: dict | None = None,
) -> Order:
    """Moves the order to `to` if the flow allows it (409 invalid_transition otherwise)."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    allowed = sorted(ALLOWED_TRANSITIONS[locked.status])
    if to not in allowed:
        raise Conflict(
            f"An order that is {locked.get_status_display().lower()} cannot become {to}.",
            code="invalid_transition",
            details={"status": [f"Allowed from {locked.status}: {allowed or 'none'}."]},
        )
    order_event_add(
        order=locked,
        kind="status_changed",
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        data=data,
        from_status=locked.status,
        to_status=to,
    )
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    order.status = to
    return order


def order_stock_release(*, order: Order) -> None:
    """Releases the stock still held for the order: not the lines of parcels already shipped,
    whose units have left the warehouse."""
    shipped_merchants = order.shipments.values("merchant")
    for line in order.lines.exclude(merchant__in=shipped_merchants):
        variant_deallocate(variant_id=line.variant_id, quantity=line.quantity)


# --- Payments ---------------------------------------------------------------------------------


def order_totals(landed: LandedCost) -> dict:
    """The order's money columns, from the landed cost that priced it."""
    return {
        "subtotal": landed.goods,
        "shipping_total": landed.shipping,
        "duty_total": landed.duty,
        "tax_total": landed.tax,
        "due_at_sale": landed.due_at_sale,
        "due_on_delivery": landed.due_on_delivery,
    }


def order_line_build(
    *,
    order: Order,
    variant,
    quantity: int,
    unit_price: Decimal,
    merchant_unit_price: Decimal,
    charges: LineCharges,
) -> OrderLine:
    """An unsaved line, with what the order must remember of the variant as sold."""
    return OrderLine(
        order=order,
        variant=variant,
        merchant=variant.merchant,
        product_title=variant.product.title,
        sku=variant.sku,
        quantity=quantity,
        unit_price=unit_price,
        merchant_unit_price=merchant_unit_price,
        merchant_currency=variant.merchant.currency,
        line_total=unit_price * quantity,
        duty=charges.duty,
        tax=charges.tax,
        hs_code=variant.hs_code,
        origin_country=variant.country_of_origin,
    )


def payment_build(*, order: Order, authorization: Authorization, **overrides) -> Payment:
    """An unsaved payment for an authorization; `overrides` for an import (captured)."""
    card: CardDetails = authorization.card
    values = {
        "order": order,
        "provider": authorization.provider,
        "authorization_id": authorization.authorization_id,
        "status": Payment.Status.AUTHORIZED,
        "amount": authorization.amount,
        "currency": authorization.currency,
        "authorized_at": authorization.authorized_at,
        "expires_at": authorization.expires_at,
        "card_brand": card.brand,
        "card_last4": card.last4,
        "card_bin_country": card.bin_country,
        "card_fingerprint": card.fingerprint,
    }
    return Payment(**(values | overrides))


def payment_record(*, order: Order, authorization: Authorization) -> Payment:
    payment = payment_build(order=order, authorization=authorization)
    payment.save()
    return payment


def _authorization(payment: Payment) -> Authorization:
    return Authorization(
        provider=payment.provider,
        authorization_id=payment.authorization_id,
        amount=payment.amount,
        currency=payment.currency,
        authorized_at=payment.authorized_at,
        expires_at=payment.expires_at,
        card=CardDetails(
            brand=payment.card_brand,
            last4=payment.card_last4,
            bin_country=payment.card_bin_country,
            fingerprint=payment.card_fingerprint,
        ),
    )


def _payment_of(order: Order) -> Payment | None:
    return order.payments.exclude(status=Payment.Status.VOIDED).order_by("-id").first()


def payment_capture(*, payment: Payment, now: datetime | None = None) -> Payment:
    provider = payment_provider_get(payment.provider)
    capture = provider.capture(
        authorization=_authorization(payment), already_captured=payment.captured_amount, now=now
    )
    payment.captured_amount += capture.amount
    payment.status = Payment.Status.CAPTURED
    payment.save(update_fields=["captured_amount", "status", "updated_at"])
    return payment


def payment_void(*, payment: Payment) -> Payment:
    payment_provider_get(payment.provider).void(authorization=_authorization(payment))
    payment.status = Payment.Status.VOIDED
    payment.save(update_fields=["status", "updated_at"])
    return payment


def payment_refund(*, payment: Payment, amount: Decimal | None = None) -> Decimal:
    refund = payment_provider_get(payment.provider).refund(
        authorization=_authorization(payment),
        captured=payment.captured_amount,
        already_refunded=payment.refunded_amount,
        amount=amount,
    )
    payment.refunded_amount += refund.amount
    if payment.refunded_amount >= payment.captured_amount:
        payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    return refund.amount


def _provider_failure(error: PaymentError) -> ServiceUnavailable:
    return ServiceUnavailable(
        "The payment service could not complete this; try again later.",
        code=f"payment_{error.code}",
    )


# --- What staff and the risk review do --------------------------------------------------------


def order_capture(*, order: Order, actor=None, reason: str = "") -> Order:
    """Takes the money of an authorized order (a review approved): on_hold or pending -> paid.
    An authorization that expired cannot be captured: the order is cancelled instead (and stays
    cancelled: this function is deliberately not one transaction)."""
    payment = _payment_of(order)
    if payment is None or payment.status != Payment.Status.AUTHORIZED:
        raise Conflict("This order has no authorization to capture.", code="nothing_to_capture")
    try:
        payment_capture(payment=payment)
    except AuthorizationExpired as error:
        order_cancel(order=order, actor=actor, reason="authorization expired before capture")
        raise Conflict(error.message, code=error.code) from error
    except PaymentError as error:
        raise _provider_failure(error) from error
    order = order_transition(order=order, to=Status.PAID, actor=actor, reason=reason)
    purchase_events_record(order=order)
    return order


@transaction.atomic
def order_cancel(*, order: Order, actor=None, reason: str = "") -> Order:
    """Cancels an order not yet shipped: voids an authorization or refunds a capture, and
    releases the stock held for it."""
    if Status.CANCELLED not in ALLOWED_TRANSITIONS[order.status]:
        raise Conflict(f"A {order.status} order cannot be cancelled.", code="invalid_transition")
    payment = _payment_of(order)
    try:
        if payment and payment.status == Payment.Status.AUTHORIZED:
            payment_void(payment=payment)
        elif payment and payment.status == Payment.Status.CAPTURED:
            payment_refund(payment=payment)
    except PaymentError as error:
        raise _provider_failure(error) from error
    if order.status in _HOLDS_STOCK:
        order_stock_release(order=order)
    return order_transition(order=order, to=Status.CANCELLED, actor=actor, reason=reason)


@transaction.atomic
def order_refund(
    *, order: Order, actor=None, reason: str = "", amount: Decimal | None = None
) -> Order:
    """Refunds all (the order becomes refunded) or part (it keeps its status) of the payment."""
    payment = _payment_of(order)
    if payment is None or payment.captured_amount <= payment.refunded_amount:
        raise Conflict("Nothing has been paid that could be refunded.", code="nothing_to_refund")
    try:
        refunded = payment_refund(payment=payment, amount=amount)
    except PaymentError as error:
        if error.code in {"refund_exceeds_captured", "invalid_amount"}:
            raise Conflict(error.message, code=error.code) from error
        raise _provider_failure(error) from error
    order_event_add(
        order=order,
        kind="refunded",
        actor=actor,
        reason=reason,
        data={"amount": str(refunded), "currency": payment.currency},
    )
    if payment.status == Payment.Status.REFUNDED:
        if order.status in _HOLDS_STOCK:
            order_stock_release(order=order)
        order_transition(order=order, to=Status.REFUNDED, actor=actor, reason=reason)
    return order


@transaction.atomic
def order_ship(
    *, order: Order, merchant: Merchant, carrier: str, tracking_number: str, actor=None
) -> Shipment:
    """One merchant's parcel leaves with a tracking number; the order is shipped once every
    merchant in it has shipped."""
    # Locked, so that two merchants shipping at once both see each other's parcel.
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in {Status.PAID, Status.FULFILLED}:
        raise Conflict(f"A {order.status} order cannot be shipped.", code="invalid_transition")
    lines = list(order.lines.filter(merchant=merchant))
    if not lines:
        raise Conflict("This order has nothing of this merchant's.", code="nothing_to_ship")
    if Shipment.objects.filter(order=order, merchant=merchant).exists():
        raise Conflict("This merchant's parcel has already shipped.", code="already_shipped")
    shipment = Shipment.objects.create(
        order=order, merchant=merchant, carrier=carrier, tracking_number=tracking_number
    )
    for line in lines:
        variant_stock_ship(variant_id=line.variant_id, quantity=line.quantity)
    order_event_add(
        order=order,
        kind="parcel_shipped",
        actor=actor,
        data={"merchant": merchant.pk, "carrier": carrier, "tracking_number": tracking_number},
    )
    merchants_in_order = set(order.lines.values_list("merchant_id", flat=True))
    if merchants_in_order == set(order.shipments.values_list("merchant_id", flat=True)):
        order_transition(order=order, to=Status.SHIPPED, actor=actor)
    return shipment


def order_deliver(*, order: Order, actor=None) -> Order:
    return order_transition(order=order, to=Status.DELIVERED, actor=actor)


AUTHORIZATION_WARNING = timedelta(hours=24)


def authorizations_expiring_warn(*, now: datetime | None = None) -> list[Order]:
    """Held orders whose authorization lapses within a day get one warning event each, so that
    a reviewer decides before the money is lost."""
    now = now or timezone.now()
    orders = (
        Order.objects.filter(
            status=Status.ON_HOLD,
            payments__status=Payment.Status.AUTHORIZED,
            payments__expires_at__lte=now + AUTHORIZATION_WARNING,
        )
        .exclude(events__kind="authorization_expiring")
        .distinct()
    )
    for order in orders:
        expires_at = _payment_of(order).expires_at
        order_event_add(
            order=order,
            kind="authorization_expiring",
            reason=f"The authorization expires at {expires_at.isoformat()}; "
            "approve or cancel the order before then.",
        )
    return list(orders)
