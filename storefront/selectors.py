from storefront.errors import InvalidInput
from storefront.models import Market


def market_get_active(*, code: str) -> Market:
    market = Market.objects.filter(code=code, is_active=True).first()
    if market is None:
        raise InvalidInput(
            "Unknown market.",
            code="unknown_market",
            details={"market": [f"No active market has the code {code!r}."]},
        )
    return market
