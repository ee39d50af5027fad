"""Where the database meets the risk model: orders and payment attempts become `PaymentRecord`s,
and the history of past attempts is counted from Redis or the database.

The offline dataset (every order of the store, replayed in time order) and checkout (one order,
now) build records with the same functions, so a feature means the same in both.
"""

import bisect
import hashlib
import hmac
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from fraud.ml.features import (
    AUTHORIZED,
    FAILURE_KEYS,
    FAILURE_WINDOWS,
    LONGEST_WINDOW,
    ORDER_KEYS,
    ORDER_WINDOWS,
    RISKY_CATEGORIES,
    Activity,
    PaymentRecord,
    RiskLists,
)
from fraud.models import PaymentSignal, RiskListEntry
from storefront.models import ExchangeRate, Order, OrderLine, Payment, PaymentAttempt

COMMON_CURRENCY = "USD"
PIVOT = "EUR"


# --- Keys ------------------------------------------------------------------------------------


def key_hash(value: str) -> str:
    """An opaque, stable key for a person's identifier (email, address): keyed with the
    project's secret so the stored keys cannot be matched against a list of addresses."""
    if not value:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def address_text(*, line1: str, postal_code: str, country: str) -> str:
    """An address as one normalized line: case, punctuation and spacing do not matter."""
    parts = (line1, postal_code, country)
    return "|".join(" ".join(re.findall(r"\w+", part.lower())) for part in parts)


def address_key(address: dict) -> str:
    if not address.get("line1"):
        return ""
    return key_hash(
        address_text(
            line1=address.get("line1", ""),
            postal_code=address.get("postal_code", ""),
            country=address.get("country", ""),
        )
    )


def email_parts(email: str) -> tuple[str, str]:
    """(the key, the domain) of an email address."""
    email = email.strip().lower()
    return key_hash(email), email.rpartition("@")[2]


# --- Money -----------------------------------------------------------------------------------


class UsdRates:
    """Amounts in US dollars at the rates of their time: every rate loaded once, looked up by
    bisection (a replay of the whole store converts hundreds of thousands of amounts)."""

    def __init__(self, rows) -> None:
        self._pairs: dict[tuple[str, str], tuple[list[float], list[Decimal]]] = {}
        grouped = defaultdict(list)
        for base, quote, rate, as_of in rows:
            grouped[(base, quote)].append((as_of.timestamp(), rate))
        for pair, points in grouped.items():
            points.sort()
            self._pairs[pair] = ([p[0] for p in points], [p[1] for p in points])

    @classmethod
    def load(cls, *, since: datetime | None = None) -> "UsdRates":
        rows = ExchangeRate.objects.all()
        if since is not None:
            rows = rows.filter(as_of__gte=since)
        return cls(rows.values_list("base", "quote", "rate", "as_of"))

    def to_usd(self, amount: Decimal, currency: str, at: float) -> float:
        rate = self._rate(currency, COMMON_CURRENCY, at)
        if rate is None and PIVOT not in (currency, COMMON_CURRENCY):
            first, second = self._rate(currency, PIVOT, at), self._rate(PIVOT, COMMON_CURRENCY, at)
            rate = first * second if first is not None and second is not None else None
        if rate is None:
            raise LookupError(f"no exchange rate from {currency} to {COMMON_CURRENCY}")
        return float(amount * rate)

    def _rate(self, base: str, quote: str, at: float) -> Decimal | None:
        if base == quote:
            return Decimal(1)
        direct = self._at(self._pairs.get((base, quote)), at)
        if direct is not None:
            return direct
        inverse = self._at(self._pairs.get((quote, base)), at)
        return 1 / inverse if inverse else None

    @staticmethod
    def _at(points, at: float) -> Decimal | None:
        """The newest rate published at or before `at` (the oldest one for earlier times)."""
        if not points:
            return None
        times, rates = points
        return rates[max(0, bisect.bisect_right(times, at) - 1)]


_live_rates: tuple[float, UsdRates] | None = None


def live_rates(*, refresh: bool = False) -> UsdRates:
    """This week's rates, reloaded every 10 minutes: checkout converts with the newest."""
    global _live_rates
    if refresh or _live_rates is None or time.monotonic() - _live_rates[0] > 600:
        _live_rates = (time.monotonic(), UsdRates.load(since=timezone.now() - timedelta(days=7)))
    return _live_rates[1]


# --- Records ---------------------------------------------------------------------------------


def _order_goods(lines) -> dict:
    """Category with most of the value, risky share, quantity and line count of order lines
    given as (category slug, line total, quantity)."""
    value = defaultdict(Decimal)
    quantity = 0
    for category, total, count in lines:
        value[category] += total
        quantity += count
    whole = sum(value.values()) or Decimal(1)
    risky = sum(amount for category, amount in value.items() if category in RISKY_CATEGORIES)
    return {
        "category": max(value, key=value.get) if value else "",
        "risky_share": float(risky / whole),
        "quantity": quantity,
        "lines": len(lines),
    }


def _record(*, order: dict, payment: dict | None, goods: dict, rates: UsdRates) -> PaymentRecord:
    at = order["created_at"].timestamp()
    email, domain = email_parts(order["email"])
    account = order["customer__created_at"]
    return PaymentRecord(
        at=at,
        outcome=AUTHORIZED,
        amount_usd=rates.to_usd(order["due_at_sale"], order["currency"], at),
        email=email,
        email_domain=domain,
        device=order["device_id"],
        ip=order["client_ip"] or "",
        card=(payment or {}).get("card_fingerprint", ""),
        address=address_key(order["shipping_address"]),
        currency=order["currency"],
        market=order["market__code"],
        ip_country=order["ip_country"],
        billing_country=order["billing_country"],
        shipping_country=order["shipping_address"].get("country", ""),
        card_bin_country=(payment or {}).get("card_bin_country", ""),
        account_created_at=account.timestamp() if account else None,
        order_id=str(order["id"]),
        **goods,
    )


ORDER_FIELDS = (
    "id",
    "created_at",
    "email",
    "device_id",
    "client_ip",
    "shipping_address",
    "currency",
    "due_at_sale",
    "market__code",
    "ip_country",
    "billing_country",
    "customer__created_at",
)
PAYMENT_FIELDS = ("order_id", "card_fingerprint", "card_bin_country")
LINE_FIELDS = ("order_id", "variant__product__category__slug", "line_total", "quantity")


def order_record(*, order: Order, rates: UsdRates | None = None) -> PaymentRecord:
    """The record of one placed, authorized order (checkout): three small queries."""
    row = Order.objects.filter(pk=order.pk).values(*ORDER_FIELDS).get()
    payment = Payment.objects.filter(order=order).order_by("-id").values(*PAYMENT_FIELDS).first()
    lines = [row[1:] for row in order.lines.values_list(*LINE_FIELDS)]
    goods = _order_goods(lines)
    try:
        return _record(order=row, payment=payment, goods=goods, rates=rates or live_rates())
    except LookupError:  # a currency the cached rates do not cover yet
        if rates is not None:
            raise
        return _record(order=row, payment=payment, goods=goods, rates=live_rates(refresh=True))


def failed_attempt_record(
    *, attempt: PaymentAttempt, device: str = "", address: dict | None = None
) -> PaymentRecord:
    email, domain = email_parts(attempt.email)
    return PaymentRecord(
        at=attempt.created_at.timestamp(),
        outcome=attempt.outcome,
        amount_usd=0.0,
        email=email,
        email_domain=domain,
        device=device,
        ip=attempt.client_ip or "",
        card=attempt.card_fingerprint,
        address=address_key(address or {}),
    )


def store_records(*, until: datetime | None = None) -> list[PaymentRecord]:
    """Every payment attempt of the store up to `until`, authorized orders and failed attempts,
    in time order: the replay the offline dataset and the backfill run. Reads in a few bulk
    queries (a medium store has 150,000 orders)."""
    orders = Order.objects.exclude(payments=None)
    attempts = PaymentAttempt.objects.exclude(outcome=AUTHORIZED)
    if until is not None:
        orders, attempts = (
            orders.filter(created_at__lt=until),
            attempts.filter(created_at__lt=until),
        )
    payments = {
        row["order_id"]: row
        for row in Payment.objects.filter(order__in=orders).order_by("id").values(*PAYMENT_FIELDS)
    }
    lines = defaultdict(list)
    for order_id, *line in OrderLine.objects.filter(order__in=orders).values_list(*LINE_FIELDS):
        lines[order_id].append(line)
    rates = UsdRates.load()
    records = [
        _record(
            order=row,
            payment=payments.get(row["id"]),
            goods=_order_goods(lines[row["id"]]),
            rates=rates,
        )
        for row in orders.values(*ORDER_FIELDS).iterator(chunk_size=5_000)
    ]
    # A failed attempt of an order that went through carries that order's device and address.
    placed = {
        row["id"]: row
        for row in orders.values("id", "device_id", "shipping_address").iterator(chunk_size=5_000)
    }
    for attempt in attempts.iterator(chunk_size=5_000):
        order = placed.get(attempt.order_id) or {}
        records.append(
            failed_attempt_record(
                attempt=attempt,
                device=order.get("device_id", ""),
                address=order.get("shipping_address"),
            )
        )
    records.sort(key=lambda record: record.at)
    return records


# --- Lists ---------------------------------------------------------------------------------


def risk_lists_get(*, record: PaymentRecord | None = None) -> RiskLists:
    """The store's lists: all of them for a replay, or only the entries that could match
    `record` (one indexed query at checkout, however long the lists grow)."""
    entries = RiskListEntry.objects.all()
    if record is not None:
        entries = entries.filter(value__in=[record.address, record.email_domain])
    values = defaultdict(set)
    for kind, value in entries.values_list("kind", "value"):
        values[kind].add(value)
    return RiskLists(
        reshipper_addresses=frozenset(values[RiskListEntry.Kind.RESHIPPER_ADDRESS]),
        disposable_domains=frozenset(values[RiskListEntry.Kind.DISPOSABLE_DOMAIN]),
    )


# --- History ---------------------------------------------------------------------------------


def signal_row(record: PaymentRecord) -> PaymentSignal:
    return PaymentSignal(
        at=datetime.fromtimestamp(record.at, tz=UTC),
        failed=record.failed,
        email=record.email,
        device=record.device,
        ip=record.ip,
        card=record.card,
        address=record.address,
        order_id=int(record.order_id) if record.order_id and not record.failed else None,
    )


class DatabaseHistory:
    """Counts from the signal table: two queries per attempt (one for the velocity windows, one
    for the shopper's orders of all time), each on an index of (key, time)."""

    def activity(self, record: PaymentRecord) -> Activity:
        at = datetime.fromtimestamp(record.at, tz=UTC)
        aggregates, matches = {}, Q(pk__in=[])
        for failed, keys, windows, prefix in (
            (False, ORDER_KEYS, ORDER_WINDOWS, "orders"),
            (True, FAILURE_KEYS, FAILURE_WINDOWS, "failed"),
        ):
            for key in keys:
                value = getattr(record, key)
                if not value:
                    continue
                matches |= Q(**{key: value})
                for window, seconds in windows.items():
                    aggregates[f"{prefix}_{key}_{window}"] = Count(
                        "pk",
                        filter=Q(
                            **{key: value},
                            failed=failed,
                            at__gte=at - timedelta(seconds=seconds),
                        ),
                    )
        counts = {}
        if aggregates:
            counts = PaymentSignal.objects.filter(
                matches, at__gte=at - timedelta(seconds=LONGEST_WINDOW), at__lte=at
            ).aggregate(**aggregates)
        return Activity({name: n or 0 for name, n in counts.items()}, _prior_orders(record))

    def add(self, record: PaymentRecord) -> None:
        signal_row(record).save()


def _prior_orders(record: PaymentRecord) -> int:
    """The shopper's orders before this one, of all time."""
    if not record.email:
        return 0
    at = datetime.fromtimestamp(record.at, tz=UTC)
    return PaymentSignal.objects.filter(email=record.email, failed=False, at__lte=at).count()


class RedisHistory(DatabaseHistory):
    """Velocity from Redis sorted sets (one per key, scored by time, trimmed to the longest
    window): one round trip per attempt. The signal table is still written, so the history
    survives a Redis flush and a backfill can rebuild Redis from it; the shopper's orders of
    all time come from the database."""

    def __init__(self, client, *, namespace: str = "") -> None:
        self.client = client
        self.namespace = namespace

    def _key(self, kind: str, key: str, value: str) -> str:
        return f"{self.namespace}:fraud:{kind}:{key}:{value}"

    def activity(self, record: PaymentRecord) -> Activity:
        names, pipeline = [], self.client.pipeline(transaction=False)
        for kind, keys, windows, prefix in (
            ("ok", ORDER_KEYS, ORDER_WINDOWS, "orders"),
            ("fail", FAILURE_KEYS, FAILURE_WINDOWS, "failed"),
        ):
            for key in keys:
                value = getattr(record, key)
                if not value:
                    continue
                for window, seconds in windows.items():
                    pipeline.zcount(self._key(kind, key, value), record.at - seconds, record.at)
                    names.append(f"{prefix}_{key}_{window}")
        counts = dict(zip(names, pipeline.execute(), strict=True)) if names else {}
        return Activity(counts, _prior_orders(record))

    def add(self, record: PaymentRecord) -> None:
        super().add(record)
        self.remember([record])

    def forget_all(self) -> None:
        """Deletes this namespace's counters (before a backfill rebuilds them)."""
        pipeline = self.client.pipeline(transaction=False)
        for name in self.client.scan_iter(match=f"{self.namespace}:fraud:*", count=1_000):
            pipeline.delete(name)
        pipeline.execute()

    def remember(self, records) -> None:
        """Adds records to the sorted sets (the backfill's way in)."""
        pipeline = self.client.pipeline(transaction=False)
        for record in records:
            kind, keys = ("fail", FAILURE_KEYS) if record.failed else ("ok", ORDER_KEYS)
            for key in keys:
                value = getattr(record, key)
                if not value:
                    continue
                name = self._key(kind, key, value)
                member = f"{record.at}:{record.order_id or uuid.uuid4().hex}"
                pipeline.zadd(name, {member: record.at})
                pipeline.zremrangebyscore(name, "-inf", record.at - LONGEST_WINDOW)
                pipeline.expire(name, LONGEST_WINDOW)
        pipeline.execute()


def history_get() -> DatabaseHistory:
    """Redis when REDIS_URL is set, the database otherwise. Redis keys carry the default cache's
    key prefix, so stores (and test runs) sharing one Redis never count each other's attempts."""
    if settings.REDIS_URL:
        namespace = settings.CACHES["default"].get("KEY_PREFIX", "")
        return RedisHistory(_redis_client(), namespace=namespace)
    return DatabaseHistory()


_redis = None


def _redis_client():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.2)
    return _redis


# --- The labelled history --------------------------------------------------------------------


@dataclass(frozen=True)
class Labelled:
    """A dataset source: every attempt, the truth per order id, the labels the store knew at a
    moment (a function of that moment), the orders staff labelled, and the lists."""

    records: list[PaymentRecord]
    truth: dict[str, bool]
    known_at: Callable[[datetime], dict[str, bool]]
    staff_labelled: frozenset[str]
    lists: RiskLists


def store_labelled() -> Labelled:
    """The store's own history. The truth is the simulation's where the store is the demo
    store (a real store has no such rows), else the labels known now."""
    from fraud.models import FraudReport, ReviewDecision
    from fraud.selectors import fraud_labels_known
    from storefront.models import SimulationTruth

    def known_at(moment: datetime | None) -> dict[str, bool]:
        return {str(order): fraud for order, fraud in fraud_labels_known(as_of=moment).items()}

    truth = known_at(None)
    truth.update(
        (str(order), fraud)
        for order, fraud in SimulationTruth.objects.values_list("order_id", "is_fraud")
    )
    staff = {
        str(order)
        for model in (ReviewDecision, FraudReport)
        for order in model.objects.values_list("order_id", flat=True)
    }
    return Labelled(store_records(), truth, known_at, frozenset(staff), risk_lists_get())
