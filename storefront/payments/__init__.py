"""The payment-gateway edge of the store: an interface, a built-in test provider, a registry.

No database here: the store keeps a payment's state in its own rows and passes it in.
"""

from storefront.payments.base import (
    Authorization,
    AuthorizationExpired,
    Capture,
    CardDetails,
    InvalidPaymentOperation,
    PaymentDeclined,
    PaymentError,
    PaymentProvider,
    PaymentProviderError,
    PaymentTimeout,
    Refund,
)
from storefront.payments.registry import PaymentProviderNotConfigured, payment_provider_get

__all__ = [
    "Authorization",
    "AuthorizationExpired",
    "Capture",
    "CardDetails",
    "InvalidPaymentOperation",
    "PaymentDeclined",
    "PaymentError",
    "PaymentProvider",
    "PaymentProviderError",
    "PaymentProviderNotConfigured",
    "PaymentTimeout",
    "Refund",
    "payment_provider_get",
]
