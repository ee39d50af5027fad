"""Shopper accounts: registration with email, addresses, and the two privacy rights a shopper
exercises themselves: a copy of their data, and its erasure."""

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from storefront.errors import InvalidInput, PermissionDenied
from storefront.models import (
    Address,
    Cart,
    Customer,
    IdempotencyRecord,
    Market,
    Order,
    PaymentAttempt,
    ShopperEvent,
)

# Other apps register functions that name the cache keys they keep for a customer, so that
# erasure can clear them without this module knowing each app.
_CUSTOMER_CACHE_KEYS: list[Callable[[Customer], Iterable[str]]] = []

ADDRESS_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "postal_code",
    "region",
    "country",
    "phone",
)


def customer_cache_keys_register(keys_for: Callable[[Customer], Iterable[str]]):
    _CUSTOMER_CACHE_KEYS.append(keys_for)
    return keys_for


def _email_normalize(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def customer_register(
    *, email: str, password: str, market: Market | None = None, language: str = ""
) -> tuple[Customer, str]:
    """Creates the account and returns it with an API token."""
    email = _email_normalize(email)
    user_model = get_user_model()
    if user_model.objects.filter(username=email).exists():
        raise InvalidInput(
            code="email_taken", details={"email": ["An account with this email exists."]}
        )
    user = user_model(username=email, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(details={"password": list(error.messages)}) from error
    user.set_password(password)
    user.save()
    customer = Customer(user=user, market=market, language=language)
    customer.full_clean(exclude=["user"])
    customer.save()
    return customer, Token.objects.create(user=user).key


def customer_login(*, email: str, password: str) -> str:
    user = authenticate(username=_email_normalize(email), password=password)
    if user is None or not hasattr(user, "customer"):
        raise PermissionDenied("Email or password is wrong.", code="invalid_credentials")
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def customer_update(*, customer: Customer, **changes: Any) -> Customer:
    for field in set(changes) - {"market", "language"}:
        raise InvalidInput(details={field: ["This field cannot be changed."]})
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.full_clean(exclude=["user"])
    customer.save()
    return customer


@transaction.atomic
def address_save(*, customer: Customer, address: Address | None = None, **fields) -> Address:
    address = address or Address(customer=customer)
    for field, value in fields.items():
        setattr(address, field, value)
    address.full_clean()
    address.save()
    return address


def address_delete(*, address: Address) -> None:
    address.delete()


# --- Privacy ----------------------------------------------------------------------------------


def _address_export(address: Address) -> dict:
    return {field: getattr(address, field) for field in ADDRESS_FIELDS}


def _order_export(order: Order) -> dict:
    return {
        "number": order.number,
        "status": order.status,
        "created_at": order.created_at.isoformat(),
        "currency": order.currency,
        "total": str(order.due_at_sale + order.due_on_delivery),
        "shipping_address": order.shipping_address,
        "lines": [
            {
                "sku": line.sku,
                "title": line.product_title,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in order.lines.all()
        ],
    }


def _event_export(event: ShopperEvent) -> dict:
    return {
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "product": event.product_id,
        "query": event.query,
        "quantity": event.quantity,
    }


def customer_export(*, customer: Customer) -> dict:
    """Everything the store keeps about the customer, in one document."""
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": customer.user.email,
            "created_at": customer.created_at.isoformat(),
            "market": customer.market.code if customer.market else None,
            "language": customer.language,
        },
        "addresses": [_address_export(a) for a in customer.addresses.all()],
        "orders": [_order_export(o) for o in customer.orders.prefetch_related("lines")],
        "events": [_event_export(e) for e in customer.events.all()],
    }


def _orders_anonymize(customer: Customer, placeholder_email: str) -> int:
    """Orders stay for the accounts (amounts, items, countries); who and where go."""
    orders = list(customer.orders.all())
    for order in orders:
        order.email = placeholder_email
        order.client_ip = None
        order.shipping_address = {"country": order.shipping_address.get("country", "")}
        order.customer = None
        order.save(update_fields=["email", "client_ip", "shipping_address", "customer"])
    return len(orders)


def _deleted(queryset) -> int:
    """Deletes the rows and counts them, not the rows that went with them by cascade."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


@transaction.atomic
def customer_erase(*, customer: Customer, password: str) -> dict[str, int]:
    """Erases the customer's personal data. Their events leave the training data, caches keyed
    by them are cleared, the login is disabled; orders are kept for accounting, anonymised."""
    user = customer.user
    if not user.check_password(password):
        raise PermissionDenied("The password is wrong.", code="invalid_credentials")
    placeholder = f"erased-{uuid.uuid4().hex}@invalid.example"
    checkout_scopes = [f"checkout:{cart.token}" for cart in Cart.objects.filter(customer=customer)]
    summary = {
        "orders_anonymized": _orders_anonymize(customer, placeholder),
        "events_deleted": _deleted(customer.events.all()),
        "addresses_deleted": _deleted(customer.addresses.all()),
        "carts_deleted": _deleted(Cart.objects.filter(customer=customer)),
        # Stored checkout answers repeat the email and address: they go with the carts.
        "checkout_records_deleted": _deleted(
            IdempotencyRecord.objects.filter(scope__in=checkout_scopes)
        ),
        "payment_attempts_anonymized": PaymentAttempt.objects.filter(customer=customer).update(
            email=placeholder, client_ip=None, customer=None
        ),
    }
    cache_keys = [key for keys_for in _CUSTOMER_CACHE_KEYS for key in keys_for(customer)]
    transaction.on_commit(lambda: cache.delete_many(cache_keys))
    Token.objects.filter(user=user).delete()
    user.username = user.email = placeholder
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    customer.language = ""
    customer.market = None
    customer.erased_at = timezone.now()
    customer.save()
    return summary
