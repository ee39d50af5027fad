"""Rate limits, kept in the default cache: Redis when REDIS_URL is set, the shared file cache
otherwise, so a limit holds across every server process.

DRF's throttles copy the rates when their class is defined; these read them on each request, so
settings changed at run time (and in tests) take effect.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _LiveRatesMixin:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_LiveRatesMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_LiveRatesMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_LiveRatesMixin, throttling.ScopedRateThrottle):
    """For endpoints with their own budget: set `throttle_scope` on the view."""
