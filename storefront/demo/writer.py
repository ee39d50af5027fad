"""Writes the simulated orders and events in bulk, in batches, with the same invariants the
checkout and order services keep (see storefront/demo/orders.py)."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from catalog.models import Variant
from storefront.demo import config, texts
from storefront.demo.bulk import Ids, insert_dicts, insert_objects, sequences_reset
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

BATCH = 5_000  # orders
EVENTS_BATCH = 100_000
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
        self._order_ids, self._line_ids = Ids(Order), Ids(OrderLine)

    def at(self, second: int) -> datetime:
        return day_start(self.start, 0) + timedelta(seconds=int(second))

    def write(self, planned: list[PlannedOrder], progress=None) -> None:
        planned.sort(key=lambda order: order.second)
        for first in range(0, len(planned), BATCH):
            self._write_batch(planned[first : first + BATCH])
            if progress:
                progress(min(first + BATCH, len(planned)), len(planned))
        sequences_reset([Order, OrderLine])

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
                id=self._order_ids.take(),
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
        # The whole history first (it decides each order's status), then the rows, orders first.
        children = defaultdict(list)
        for planned, order, parcels, shipping, landed in rows:
            self._order_children(children, planned, order, parcels, shipping, landed)
        insert_objects([row[1] for row in rows])
        insert_objects(children[OrderLine])
        insert_objects(children[Payment])
        # The many small rows as plain values: building model instances would cost more.
        for model in (
            PaymentAttempt,
            Shipment,
            OrderEvent,
            ShopperEvent,
            SimulationTruth,
            Chargeback,
            Return,
        ):
            insert_dicts(model, children[model])

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
                line.pk = self._line_ids.take()
                lines.append(line)
        out[OrderLine] += lines
        for second, declined_card, outcome in planned.declines:
            out[PaymentAttempt].append(
                {
                    "customer_id": order.customer_id,
                    "email": order.email,
                    "amount": order.due_at_sale,
                    "currency": order.currency,
                    "outcome": outcome,
                    "card_fingerprint": card_details(declined_card).fingerprint,
                    "client_ip": planned.ip,
                    "created_at": self.at(second),
                }
            )
        out[PaymentAttempt].append(
            {
                "customer_id": order.customer_id,
                "email": order.email,
                "order_id": order.pk,
                "amount": order.due_at_sale,
                "currency": order.currency,
                "outcome": "authorized",
                "card_fingerprint": card.fingerprint,
                "client_ip": planned.ip,
                "created_at": placed,
            }
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
            {"order_id": order.pk, "is_fraud": planned.is_fraud, "fraud_pattern": planned.pattern}
        )
        self._chargeback(out, planned, order)
        out[ShopperEvent] += [
            {
                "type": "purchase",
                "customer_id": order.customer_id,
                "client_id": "" if order.customer else planned.device,
                "market_id": order.market_id,
                "product_id": line.variant.product_id,
                "variant_id": line.variant_id,
                "order_id": order.pk,
                "quantity": line.quantity,
                "occurred_at": placed,
            }
            for line in lines
        ]

    def _event(self, out, order, kind, when, **fields) -> None:
        out[OrderEvent].append({"order_id": order.pk, "kind": kind, "created_at": when, **fields})

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
                {
                    "order_id": order.pk,
                    "merchant_id": merchant_id,
                    "carrier": "DemoPost",
                    "tracking_number": tracking,
                    "shipped_at": shipped,
                }
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
                out[Return].append(
                    {
                        "line_id": line.pk,
                        "quantity": line.quantity,
                        "reason": str(
                            self.rng.choice(
                                ["wrong_size", "not_as_described", "changed_mind", "damaged"]
                            )
                        ),
                        "created_at": when,
                    }
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
                {
                    "order_id": order.pk,
                    "amount": order.due_at_sale,
                    "currency": order.currency,
                    "reason": "fraudulent",
                    "received_at": received,
                }
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
    rows = _EventRows(rng, activity, world, shoppers, customers, start)
    total = len(activity.event_type)
    for first in range(0, total, EVENTS_BATCH):
        last = min(first + EVENTS_BATCH, total)
        insert_dicts(ShopperEvent, rows.between(first, last))
        if progress:
            progress(last, total)
    return total


class _EventRows:
    """The simulated events as ShopperEvent rows, with what they need of the shoppers and the
    products looked up once rather than per event."""

    def __init__(self, rng, activity: Activity, world: World, shoppers, customers, start: date):
        self.rng, self.activity, self.world, self.origin = rng, activity, world, day_start(start, 0)
        self.customer_id = [shopper.customer.pk for shopper in shoppers]
        self.device = [shopper.device for shopper in shoppers]
        self.market_id = [shopper.market.pk for shopper in shoppers]
        self.language = [shopper.customer.language or "en" for shopper in shoppers]
        self.signup_second = (customers.signup_day * 86_400).tolist()
        self.product_id = [product.pk for product in world.products]
        self.variant_id = [variants[0].pk for variants in world.variants]

    def between(self, first: int, last: int):
        activity = self.activity
        for i in range(first, last):
            customer = activity.event_customer[i]
            product = activity.event_product[i]
            kind = activity.event_type[i]
            second = activity.event_second[i]
            signed_up = second >= self.signup_second[customer]
            yield {
                "type": EVENT_TYPES[kind],
                "customer_id": self.customer_id[customer] if signed_up else None,
                "client_id": "" if signed_up else self.device[customer],
                "session_id": f"s{activity.event_session[i]}",
                "market_id": self.market_id[customer],
                "product_id": self.product_id[product],
                "variant_id": self.variant_id[product]
                if kind in (EVENT_ADD, EVENT_REMOVE)
                else None,
                "query": self._query(product, customer) if kind == EVENT_SEARCH else "",
                "quantity": activity.event_quantity[i] or None,
                "occurred_at": self.origin + timedelta(seconds=int(second)),
            }

    def _query(self, product: int, customer: int) -> str:
        return texts.search_query(
            category=self.world.categories[product],
            attributes=self.world.attributes[product],
            language=self.language[customer],
            rng=self.rng,
        )
