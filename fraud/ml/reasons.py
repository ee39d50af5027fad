"""Reason codes in words a merchant reads: what about this order raised its risk."""

import math


def _velocity(features: dict, kind: str, what: str) -> str:
    hour, day, week = (features.get(f"orders_{kind}_{w}", 0) for w in ("1h", "24h", "7d"))
    return (
        f"Earlier orders with this {what}: {hour:.0f} in the last hour, {day:.0f} in 24 hours, "
        f"{week:.0f} in 7 days"
    )


def _local_hour(features: dict) -> int:
    angle = math.atan2(features.get("local_hour_sin", 0.0), features.get("local_hour_cos", 1.0))
    return round(angle / (2 * math.pi) * 24) % 24


def _countries(features: dict) -> str:
    card, billing, ip, shipping = (
        features.get(name) or "?"
        for name in ("card_bin_country", "billing_country", "ip_country", "shipping_country")
    )
    return (
        f"Card issued in {card}, billing in {billing}, connection from {ip}, shipping to {shipping}"
    )


def _failures(features: dict) -> str:
    parts = [
        f"{features.get(f'failed_{key}_1h', 0):.0f} with this {what}"
        for key, what in (("card", "card"), ("ip", "connection"), ("email", "email"))
    ]
    return "Failed payments in the last hour: " + ", ".join(parts)


def _account(features: dict) -> str:
    if features.get("is_guest"):
        return (
            f"Guest checkout; {features.get('prior_orders', 0):.0f} earlier orders with this email"
        )
    return (
        f"Account {features.get('account_age_days', 0):.1f} days old, "
        f"{features.get('prior_orders', 0):.0f} earlier orders"
    )


MESSAGES = {
    "high_amount": lambda f: f"Order of {f.get('amount_usd', 0):,.0f} US dollars",
    "country_mismatch": _countries,
    "ip_origin": lambda f: f"Connection from {f.get('ip_country') or 'an unknown country'}",
    "destination": lambda f: (
        f"Shipping to {f.get('shipping_country') or '?'} in the {f.get('market') or '?'} market"
    ),
    "reshipper_address": lambda f: "Ships to a known reshipper (freight forwarder)",
    "email_velocity": lambda f: _velocity(f, "email", "email"),
    "device_velocity": lambda f: _velocity(f, "device", "device"),
    "ip_velocity": lambda f: _velocity(f, "ip", "connection (IP address)"),
    "card_velocity": lambda f: _velocity(f, "card", "card"),
    "address_velocity": lambda f: _velocity(f, "address", "shipping address"),
    "card_testing": _failures,
    "new_account": _account,
    "email_domain": lambda f: (
        f"Email at {f.get('email_domain') or '?'}"
        + (", a disposable address" if f.get("disposable_email") else "")
    ),
    "risky_goods": lambda f: (
        f"{f.get('risky_share', 0):.0%} of the value in electronics or gift cards; "
        f"{f.get('quantity', 0):.0f} items"
    ),
    "time_of_day": lambda f: f"Placed at {_local_hour(f):02d}:00 where the parcel goes",
}


def reason_message(code: str, features: dict) -> str:
    return MESSAGES[code](features)
