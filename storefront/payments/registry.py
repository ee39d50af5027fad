"""Which gateway takes a payment: configured by name in settings, one instance per name.

    PAYMENT_PROVIDERS = {"test": "storefront.payments.test_provider.TestPaymentProvider"}
    PAYMENT_DEFAULT_PROVIDER = "test"

Both settings are optional and default to the built-in test provider. A provider class is built
with no arguments; one that needs credentials reads them from settings itself.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from storefront.payments.base import PaymentProvider

DEFAULT_PAYMENT_PROVIDERS = {"test": "storefront.payments.test_provider.TestPaymentProvider"}
DEFAULT_PAYMENT_PROVIDER = "test"


class PaymentProviderNotConfigured(ImproperlyConfigured, ValueError):
    """A provider name or path that settings do not resolve; a ValueError for callers that
    pass a name they were given (a stored Payment's provider)."""


def payment_provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called `name`, or the default one; the same instance on every call."""
    name = name or getattr(settings, "PAYMENT_DEFAULT_PROVIDER", DEFAULT_PAYMENT_PROVIDER)
    providers = getattr(settings, "PAYMENT_PROVIDERS", DEFAULT_PAYMENT_PROVIDERS)
    if name not in providers:
        known = ", ".join(sorted(providers)) or "none"
        raise PaymentProviderNotConfigured(
            f"Unknown payment provider {name!r}: settings.PAYMENT_PROVIDERS has {known}."
        )
    # Keyed by the path too, so a test that overrides settings never gets a stale instance.
    return _provider_build(name, providers[name])


@cache
def _provider_build(name: str, dotted_path: str) -> PaymentProvider:
    try:
        provider_class = import_string(dotted_path)
    except ImportError as error:
        raise PaymentProviderNotConfigured(
            f"Payment provider {name!r} points to {dotted_path!r}, which cannot be imported."
        ) from error
    provider = provider_class()
    if not isinstance(provider, PaymentProvider):
        raise PaymentProviderNotConfigured(
            f"Payment provider {name!r} ({dotted_path}) lacks the PaymentProvider methods."
        )
    return provider


# Tests that swap provider classes in place (same path, new code) drop the instances with this.
payment_provider_get.cache_clear = _provider_build.cache_clear  # type: ignore[attr-defined]
