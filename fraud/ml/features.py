"""What the risk model and the rules see of one payment attempt, computed from plain records.

A checkout, an offline evaluation on the store's history and a merchant's CSV export all go
through `features_compute`: a record of the attempt (`PaymentRecord`), what happened before it
(`Activity`, counted by a `History`) and the store's lists. Only the history's storage differs
(memory for a replay, the database or Redis for checkout), so a feature means the same thing in
training and in production.
"""

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

AUTHORIZED = "authorized"
RISKY_CATEGORIES = frozenset({"electronics", "gift_cards"})

# Velocity: prior authorized orders sharing a key, and prior failed attempts (card testing).
ORDER_KEYS = ("email", "device", "ip", "card", "address")
FAILURE_KEYS = ("email", "ip", "card")
ORDER_WINDOWS = {"1h": 3_600, "24h": 86_400, "7d": 7 * 86_400}
FAILURE_WINDOWS = {"1h": 3_600, "24h": 86_400}
LONGEST_WINDOW = max(ORDER_WINDOWS.values())


@dataclass(frozen=True)
class PaymentRecord:
    """One payment attempt: an authorized order (scored) or a failed attempt (only counted).

    Keys (email, device, ip, card, address) are opaque strings, hashed where they identify a
    person; an empty key is unknown and never matches another record."""

    at: float  # seconds since the epoch
    outcome: str  # "authorized" or the decline code
    amount_usd: float
    email: str = ""
    email_domain: str = ""
    device: str = ""
    ip: str = ""
    card: str = ""
    address: str = ""
    currency: str = ""
    market: str = ""
    ip_country: str = ""
    billing_country: str = ""
    shipping_country: str = ""
    card_bin_country: str = ""
    category: str = ""  # the category with most of the order's value
    risky_share: float = 0.0  # share of the value in risky categories (electronics, gift cards)
    quantity: int = 1
    lines: int = 1
    account_created_at: float | None = None  # None: a guest checkout
    order_id: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome != AUTHORIZED


@dataclass(frozen=True)
class Activity:
    """What happened before an attempt: counts of prior orders and failures per key and window,
    and the shopper's prior orders of all time."""

    counts: dict[str, int] = field(default_factory=dict)
    prior_orders: int = 0


class History(Protocol):
    def activity(self, record: PaymentRecord) -> Activity: ...

    def add(self, record: PaymentRecord) -> None: ...


def velocity_names() -> list[str]:
    orders = [f"orders_{key}_{window}" for key in ORDER_KEYS for window in ORDER_WINDOWS]
    failures = [f"failed_{key}_{window}" for key in FAILURE_KEYS for window in FAILURE_WINDOWS]
    return orders + failures


class MemoryHistory:
    """The history of a replay: every record added in time order, counted with bisection."""

    def __init__(self) -> None:
        self._orders: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._failures: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._all_orders: dict[str, int] = defaultdict(int)

    def activity(self, record: PaymentRecord) -> Activity:
        counts = {}
        for prefix, keys, windows, times in (
            ("orders", ORDER_KEYS, ORDER_WINDOWS, self._orders),
            ("failed", FAILURE_KEYS, FAILURE_WINDOWS, self._failures),
        ):
            for key in keys:
                value = getattr(record, key)
                seen = times.get((key, value), []) if value else []
                for window, seconds in windows.items():
                    counts[f"{prefix}_{key}_{window}"] = len(seen) - bisect.bisect_left(
                        seen, record.at - seconds
                    )
        return Activity(counts, self._all_orders.get(record.email, 0) if record.email else 0)

    def add(self, record: PaymentRecord) -> None:
        times = self._failures if record.failed else self._orders
        for key in FAILURE_KEYS if record.failed else ORDER_KEYS:
            value = getattr(record, key)
            if value:
                bisect.insort(times[(key, value)], record.at)
        if not record.failed and record.email:
            self._all_orders[record.email] += 1


@dataclass(frozen=True)
class RiskLists:
    """The store's lists (ops keep them in the admin): known reshipper addresses (address keys)
    and disposable email domains."""

    reshipper_addresses: frozenset[str] = frozenset()
    disposable_domains: frozenset[str] = frozenset()


# --- The features ----------------------------------------------------------------------------

CATEGORICAL = (
    "market",
    "currency",
    "ip_country",
    "billing_country",
    "shipping_country",
    "card_bin_country",
    "email_domain",
    "category",
)

# Numeric features; those in LOG_SCALED are counts or amounts, log1p-scaled for the model.
NUMERIC = (
    "amount_usd",
    "billing_shipping_mismatch",
    "ip_shipping_mismatch",
    "ip_billing_mismatch",
    "card_billing_mismatch",
    "card_shipping_mismatch",
    "reshipper_address",
    *velocity_names(),
    "is_guest",
    "account_age_days",
    "prior_orders",
    "disposable_email",
    "risky_share",
    "quantity",
    "lines",
    "local_hour_sin",
    "local_hour_cos",
    "local_night",
)
LOG_SCALED = frozenset(
    {"amount_usd", "account_age_days", "prior_orders", "quantity", "lines", *velocity_names()}
)

# Reason codes: the groups of features a merchant reads as one reason, and what they say.
REASON_GROUPS: dict[str, tuple[str, ...]] = {
    "high_amount": ("amount_usd",),
    "country_mismatch": (
        "billing_shipping_mismatch",
        "ip_shipping_mismatch",
        "ip_billing_mismatch",
        "card_billing_mismatch",
        "card_shipping_mismatch",
        "card_bin_country",
        "billing_country",
    ),
    "ip_origin": ("ip_country",),
    "destination": ("shipping_country", "market", "currency"),
    "reshipper_address": ("reshipper_address",),
    "email_velocity": tuple(f"orders_email_{w}" for w in ORDER_WINDOWS),
    "device_velocity": tuple(f"orders_device_{w}" for w in ORDER_WINDOWS),
    "ip_velocity": tuple(f"orders_ip_{w}" for w in ORDER_WINDOWS),
    "card_velocity": tuple(f"orders_card_{w}" for w in ORDER_WINDOWS),
    "address_velocity": tuple(f"orders_address_{w}" for w in ORDER_WINDOWS),
    "card_testing": tuple(f"failed_{k}_{w}" for k in FAILURE_KEYS for w in FAILURE_WINDOWS),
    "new_account": ("is_guest", "account_age_days", "prior_orders"),
    "email_domain": ("email_domain", "disposable_email"),
    "risky_goods": ("category", "risky_share", "quantity", "lines"),
    "time_of_day": ("local_hour_sin", "local_hour_cos", "local_night"),
}


def features_compute(record: PaymentRecord, activity: Activity, lists: RiskLists) -> dict:
    """Every feature of one attempt, by name: strings for CATEGORICAL, numbers for NUMERIC."""
    local_hour = _local_hour(record.at, record.shipping_country)
    features = {name: getattr(record, name) or "" for name in CATEGORICAL}
    features.update(
        {
            "amount_usd": record.amount_usd,
            "billing_shipping_mismatch": _differ(record.billing_country, record.shipping_country),
            "ip_shipping_mismatch": _differ(record.ip_country, record.shipping_country),
            "ip_billing_mismatch": _differ(record.ip_country, record.billing_country),
            "card_billing_mismatch": _differ(record.card_bin_country, record.billing_country),
            "card_shipping_mismatch": _differ(record.card_bin_country, record.shipping_country),
            "reshipper_address": float(
                bool(record.address) and record.address in lists.reshipper_addresses
            ),
            **{name: float(activity.counts.get(name, 0)) for name in velocity_names()},
            "is_guest": float(record.account_created_at is None),
            "account_age_days": _account_age_days(record),
            "prior_orders": float(activity.prior_orders),
            "disposable_email": float(record.email_domain in lists.disposable_domains),
            "risky_share": float(record.risky_share),
            "quantity": float(record.quantity),
            "lines": float(record.lines),
            "local_hour_sin": math.sin(2 * math.pi * local_hour / 24),
            "local_hour_cos": math.cos(2 * math.pi * local_hour / 24),
            "local_night": float(local_hour < 6),
        }
    )
    return features


def replay(records, lists: RiskLists, history: History | None = None):
    """(record, features) for each authorized record, every record in time order feeding the
    history first seen empty: what checkout would have computed at the time of each."""
    history = history or MemoryHistory()
    for record in sorted(records, key=lambda r: r.at):
        if not record.failed:
            yield record, features_compute(record, history.activity(record), lists)
        history.add(record)


def _differ(first: str, second: str) -> float:
    return float(bool(first) and bool(second) and first != second)


def _account_age_days(record: PaymentRecord) -> float:
    if record.account_created_at is None:
        return 0.0
    return max(0.0, (record.at - record.account_created_at) / 86_400)


def _local_hour(at: float, country: str) -> float:
    """The hour of day where the parcel goes (the shopper's time zone, as far as we know it)."""
    offset = _utc_offset_hours(country, int(at // 86_400 // 30))
    return ((at / 3_600) + offset) % 24


@cache
def _utc_offset_hours(country: str, month_bucket: int) -> float:
    """The UTC offset of the country's main time zone, about when (cached per ~30 days)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    zone = _main_zone(country)
    if zone is None:
        return 0.0
    moment = datetime.fromtimestamp(month_bucket * 30 * 86_400, tz=UTC)
    return moment.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() / 3_600


# Where a country spans several zones, the one most of its people live in (CLDR lists them
# alphabetically, which would put the United States in Alaska's Aleutians).
MAIN_ZONES = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "RU": "Europe/Moscow",
    "MX": "America/Mexico_City",
    "ID": "Asia/Jakarta",
    "CN": "Asia/Shanghai",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
}


@cache
def _main_zone(country: str) -> str | None:
    from babel.core import get_global

    country = country.upper()
    zones = get_global("territory_zones").get(country) if country else None
    return MAIN_ZONES.get(country) or (zones[0] if zones else None)
