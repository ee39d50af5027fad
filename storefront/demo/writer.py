"""Writes the simulated orders and events in bulk, in batches, with the same invariants the
checkout and order services keep (see storefront/demo/orders.py)."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from catalog.models import Variant
from storefront.demo import config, texts
from storefront.demo.orders import PlannedOrder, Pricer, access_token, order_number
from storefront.demo.simulation import EVENT_ADD, EVENT_REMOVE, EVENT_SEARCH, EVENT_VIEW, Activity
from storefront.demo.world import World, day_start
from storefront.models import (
    Chargeback,
    Customer,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentAttempt,
    Return,
    Shipment,
    ShopperEvent,
    SimulationTruth,
)
from storefront.payments.base import Authorization
from storefront.payments.test_provider import AUTHORIZATION_VALIDITY, card_details
from storefront.services.orders import order_line_build, order_totals, payment_build

BATCH = 5_000
EVENT_TYPES = {
    EVENT_VIEW: "view",
    EVENT_SEARCH: "search",
    EVENT_ADD: "add_to_cart",
    EVENT_REMOVE: "remove_from_cart",
}
Status = Order.Status


class OrderWriter:
    def __init__(self, *, rng, world: World, pricer: Pricer, start: date, now: datetime):
        self.rng, self.world, self.pricer, self.start, self.now = rng, world, pricer, start, now
        self.held: dict[int, int] = defaultdict(int)  # variant id -> units held for orders
        self.count = 0
        self._user_model = get_user_model()
        self._password = make_password(None)

    def at(self, second: int) -> datetime:
        return day_start(self.start, 0) + timedelta(seconds=int(second))

    def write(self, planned: list[PlannedOrder], progress=None) -> None:
        planned.sort(key=lambda order: order.second)
        for first in range(0, len(planned), BATCH):
            with transaction.atomic():
                self._write_batch(planned[first : first + BATCH])
            if progress:
                progress(min(first + BATCH, len(planned)), len(planned))

    def _fraud_account(self, order: PlannedOrder) -> Customer:
        """New accounts made minutes before the order they were made for."""
        created = self.at(order.second - int(self.rng.integers(120, 86_400)))
        user = self._user_model.objects.create(
            username=order.email, email=order.email, password=self._password, date_joined=created
        )
        return Customer.objects.create(user=user, market=order.market, created_at=created)

    def _write_batch(self, batch: list[PlannedOrder]) -> None:
        rows = []
        for planned in batch:
            customer = planned.shopper.customer if planned.shopper else None
            if planned.pattern in {"new_account_risky_goods", "velocity"} and customer is None:
                existing = Customer.objects.filter(user__username=planned.email).first()
                customer = existing or self._fraud_account(planned)
            parcels, shipping, landed = self.pricer.price(planned)
            order = Order(
                number=order_number(self.count),
                access_token=access_token(self.rng),
                customer=customer,
                email=planned.email,
                market=planned.market,
                currency=planned.market.currency,
                shipping_address=planned.address,
                billing_country=planned.billing_country,
                **order_totals(landed),
                landed_cost={
                    "consignments": [{"notes": list(c.notes)} for c in landed.consignments]
                },
                exchange_rates=[],
                client_ip=planned.ip,
                ip_country=planned.ip_country,
                device_id=planned.device,
                created_at=self.at(planned.second),
            )
            self.count += 1
            rows.append((planned, order, parcels, shipping, landed))
        Order.objects.bulk_create([row[1] for row in rows], batch_size=1000)
        children = defaultdict(list)
        for planned, order, parcels, shipping, landed in rows:
            self._order_children(children, planned, order, parcels, shipping, landed)
        for model in (
            OrderLine,
            Payment,
            PaymentAttempt,
            Shipment,
            OrderEvent,
            ShopperEvent,
            SimulationTruth,
            Chargeback,
        ):
            model.objects.bulk_create(children[model], batch_size=2000)
        Return.objects.bulk_create(
            [Return(line=line, **values) for line, values in children["returns"]], batch_size=2000
        )
        # Statuses are decided while the history is written, after the orders exist.
        Order.objects.bulk_update([row[1] for row in rows], ["status"], batch_size=1000)

    def _order_children(self, out, planned, order, parcels, shipping, landed) -> None:
        placed = order.created_at
        card = card_details(planned.card)
        lines = []
        for parcel, charges in zip(parcels.values(), landed.consignments, strict=True):
            for (variant, quantity, unit, merchant_price), line_charges in zip(
                parcel, charges.lines, strict=True
            ):
                line = order_line_build(
                    order=order,
                    variant=variant,
                    quantity=quantity,
                    unit_price=unit,
                    merchant_unit_price=merchant_price,
                    charges=line_charges,
                )
                lines.append(line)
        out[OrderLine] += lines
        for second, declined_card, outcome in planned.declines:
            out[PaymentAttempt].append(
                PaymentAttempt(
                    customer=order.customer,
                    email=order.email,
                    amount=order.due_at_sale,
                    currency=order.currency,
                    outcome=outcome,
                    card_fingerprint=card_details(declined_card).fingerprint,
                    client_ip=planned.ip,
                    created_at=self.at(second),
                )
            )
        out[PaymentAttempt].append(
            PaymentAttempt(
                customer=order.customer,
                email=order.email,
                order=order,
                amount=order.due_at_sale,
                currency=order.currency,
                outcome="authorized",
                card_fingerprint=card.fingerprint,
                client_ip=planned.ip,
                created_at=placed,
            )
        )
        authorization = Authorization(
            provider="test",
            authorization_id=f"auth_{order.number}",
            amount=order.due_at_sale,
            currency=order.currency,
            authorized_at=placed,
            expires_at=placed + AUTHORIZATION_VALIDITY,
            card=card,
        )
        payment = payment_build(
            order=order,
            authorization=authorization,
            status=Payment.Status.CAPTURED,
            captured_amount=order.due_at_sale,
        )
        out[Payment].append(payment)
        self._history(out, planned, order, lines, shipping, payment)
        out[SimulationTruth].append(
            SimulationTruth(order=order, is_fraud=planned.is_fraud, fraud_pattern=planned.pattern)
        )
        self._chargeback(out, planned, order)
        out[ShopperEvent] += [
            ShopperEvent(
                type="purchase",
                customer=order.customer,
                client_id="" if order.customer else planned.device,
                market=order.market,
                product_id=line.variant.product_id,
                variant=line.variant,
                order=order,
                quantity=line.quantity,
                occurred_at=placed,
            )
            for line in lines
        ]

    def _event(self, out, order, kind, when, **fields) -> None:
        out[OrderEvent].append(OrderEvent(order=order, kind=kind, created_at=when, **fields))

    def _history(self, out, planned, order, lines, shipping, payment) -> None:
        """Placed, paid, each parcel shipped, delivered, returned: as far as `now` has come."""
        placed = order.created_at
        self._event(out, order, "placed", placed, actor_label="shopper", to_status=Status.PENDING)
        self._event(
            out,
            order,
            "risk_assessed",
            placed,
            actor_label="risk",
            reason="allow",
            data={"provenance": {"source": "baseline:none", "model_version": None}},
        )
        self._event(
            out,
            order,
            "status_changed",
            placed + timedelta(seconds=2),
            from_status=Status.PENDING,
            to_status=Status.PAID,
            reason="captured",
        )
        status, last_delivery, last_shipped = Status.PAID, None, placed
        shipped_all = True
        for merchant_id, rate in shipping.items():
            shipped = placed + timedelta(hours=float(self.rng.uniform(10, 72)))
            merchant_lines = [line for line in lines if line.merchant_id == merchant_id]
            if shipped > self.now:
                shipped_all = False
                for line in merchant_lines:
                    self.held[line.variant_id] += line.quantity
                continue
            last_shipped = max(last_shipped, shipped)
            tracking = f"TRK{order.number[3:]}{len(out[Shipment]):06d}"
            out[Shipment].append(
                Shipment(
                    order=order,
                    merchant_id=merchant_id,
                    carrier="DemoPost",
                    tracking_number=tracking,
                    shipped_at=shipped,
                )
            )
            self._event(
                out,
                order,
                "parcel_shipped",
                shipped,
                data={"merchant": merchant_id, "carrier": "DemoPost", "tracking_number": tracking},
            )
            delivery = shipped + timedelta(
                days=float(self.rng.uniform(rate.min_days, rate.max_days))
            )
            last_delivery = max(last_delivery or delivery, delivery)
        if shipped_all:
            self._event(
                out,
                order,
                "status_changed",
                last_shipped,
                from_status=Status.PAID,
                to_status=Status.SHIPPED,
            )
            status = Status.SHIPPED
            if last_delivery <= self.now:
                self._event(
                    out,
                    order,
                    "status_changed",
                    last_delivery,
                    from_status=Status.SHIPPED,
                    to_status=Status.DELIVERED,
                )
                status = Status.DELIVERED
                status = self._returns(out, planned, order, lines, last_delivery, payment, status)
        order.status = status

    def _returns(self, out, planned, order, lines, delivered, payment, status):
        if planned.is_fraud:
            return status
        returned, last_return = 0, delivered
        for line in lines:
            category = self.world.categories[self._product_index(line)]
            rate = config.RETURN_RATE.get(category, config.RETURN_RATE["default"])
            when = delivered + timedelta(days=float(self.rng.uniform(2, 25)))
            if self.rng.random() < rate and when <= self.now:
                out["returns"].append(
                    (
                        line,
                        {
                            "quantity": line.quantity,
                            "reason": str(
                                self.rng.choice(
                                    ["wrong_size", "not_as_described", "changed_mind", "damaged"]
                                )
                            ),
                            "created_at": when,
                        },
                    )
                )
                payment.refunded_amount += line.line_total + line.tax
                returned += 1
                last_return = max(last_return, when)
        if returned == len(lines):
            payment.refunded_amount = payment.captured_amount
            payment.status = Payment.Status.REFUNDED
            self._event(
                out,
                order,
                "status_changed",
                last_return,
                from_status=status,
                to_status=Status.REFUNDED,
                reason="all items returned",
            )
            return Status.REFUNDED
        return status

    def _product_index(self, line) -> int:
        return self.world.product_index[line.variant.product_id]

    def _chargeback(self, out, planned, order) -> None:
        charged_back = (
            self.rng.random() >= config.MISSING_FRAUD_LABEL
            if planned.is_fraud
            else self.rng.random() < config.FRIENDLY_FRAUD_SHARE
        )
        received = order.created_at + timedelta(
            days=float(self.rng.uniform(*config.CHARGEBACK_DELAY_DAYS))
        )
        if charged_back and received <= self.now:
            out[Chargeback].append(
                Chargeback(
                    order=order,
                    amount=order.due_at_sale,
                    currency=order.currency,
                    reason="fraudulent",
                    received_at=received,
                )
            )


def stock_set(*, rng, world: World, held: dict[int, int]) -> None:
    """Stock on hand today: what is held for unshipped orders plus what sits on the shelf
    (nothing for a few items: out of stock)."""
    variants = [variant for variants in world.variants for variant in variants]
    for variant in variants:
        shelf = 0 if rng.random() < 0.04 else int(rng.integers(2, 160))
        variant.quantity_allocated = held.get(variant.pk, 0)
        variant.stock_on_hand = variant.quantity_allocated + shelf
    Variant.objects.bulk_update(variants, ["stock_on_hand", "quantity_allocated"], batch_size=1000)


def events_write(
    *, rng, activity: Activity, world: World, shoppers, customers, start: date, progress=None
) -> int:
    """The browsing events; a customer's sessions before they signed up are a guest's."""
    origin = day_start(start, 0)
    total = len(activity.event_type)
    for first in range(0, total, BATCH * 4):
        rows = []
        for i in range(first, min(first + BATCH * 4, total)):
            shopper = shoppers[activity.event_customer[i]]
            product = activity.event_product[i]
            second = activity.event_second[i]
            signed_up = second >= customers.signup_day[activity.event_customer[i]] * 86_400
            kind = activity.event_type[i]
            rows.append(
                ShopperEvent(
                    type=EVENT_TYPES[kind],
                    customer=shopper.customer if signed_up else None,
                    client_id="" if signed_up else shopper.device,
                    session_id=f"s{activity.event_session[i]}",
                    market=shopper.market,
                    product=world.products[product],
                    variant=world.variants[product][0]
                    if kind in (EVENT_ADD, EVENT_REMOVE)
                    else None,
                    query=texts.search_query(
                        category=world.categories[product],
                        attributes=world.attributes[product],
                        language=shopper.customer.language or "en",
                        rng=rng,
                    )
                    if kind == EVENT_SEARCH
                    else "",
                    quantity=activity.event_quantity[i] or None,
                    occurred_at=origin + timedelta(seconds=int(second)),
                )
            )
        ShopperEvent.objects.bulk_create(rows, batch_size=2000)
        if progress:
            progress(min(first + BATCH * 4, total), total)
    return total
