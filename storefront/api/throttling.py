"""Rate limits, kept in the default cache: Redis when REDIS_URL is set, the shared file cache
otherwise, so a limit holds across every server process.

DRF's throttles copy the rates when their class is defined; these read them on each request, so
settings changed at run time (and in tests) take effect. When the cache does not answer, requests
are let through (and the outage logged): a rate limit is protection, not a dependency, and the
store keeps selling while Redis restarts.
"""

import logging

from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class _LiveRatesMixin:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:
            logger.warning("rate limits unavailable (cache down); letting the request in: %s", exc)
            return True


class AnonRateThrottle(_LiveRatesMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_LiveRatesMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_LiveRatesMixin, throttling.ScopedRateThrottle):
    """For endpoints with their own budget: set `throttle_scope` on the view."""
