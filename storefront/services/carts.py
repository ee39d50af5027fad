from django.db import transaction

from catalog.models import Variant
from catalog.selectors import variant_available_quantity
from storefront.errors import InvalidInput
from storefront.models import Cart, CartLine, Customer, Market
from storefront.selectors.carts import variant_sellable_check


def cart_create(*, market: Market, customer: Customer | None = None) -> Cart:
    return Cart.objects.create(market=market, customer=customer)


def _stock_check(variant: Variant, quantity: int) -> None:
    available = variant_available_quantity(variant=variant)
    if quantity > available:
        raise InvalidInput(
            "Not enough stock.",
            code="out_of_stock",
            details={"quantity": [f"Only {max(available, 0)} of {variant.sku} available."]},
        )


@transaction.atomic
def cart_line_set(*, cart: Cart, variant_id: int, quantity: int) -> Cart:
    """Sets how many of a variant the cart holds; 0 removes the line."""
    if cart.checked_out_at is not None:
        raise InvalidInput("This cart has been checked out.", code="cart_closed")
    if quantity == 0:
        CartLine.objects.filter(cart=cart, variant_id=variant_id).delete()
        return cart
    variant = Variant.objects.select_related("product", "merchant").filter(pk=variant_id).first()
    if variant is None:
        raise InvalidInput(details={"variant": ["No such variant."]})
    variant_sellable_check(variant=variant, market=cart.market)
    _stock_check(variant, quantity)
    CartLine.objects.update_or_create(cart=cart, variant=variant, defaults={"quantity": quantity})
    cart.save(update_fields=["updated_at"])
    return cart
