from catalog.models import Product, Variant
from storefront.errors import InvalidInput, NotFound
from storefront.models import Cart, Customer, Market


def cart_get_for_shopper(*, token, customer: Customer | None) -> Cart:
    """A guest cart is reachable by its token alone; a customer's cart only by that customer.
    Any other cart is a 404, the same as one that does not exist."""
    cart = Cart.objects.select_related("market", "customer").filter(token=token).first()
    if cart is None or (cart.customer_id is not None and cart.customer != customer):
        raise NotFound("No such cart.")
    return cart


def variant_sellable_check(*, variant: Variant, market: Market) -> None:
    """A variant can be bought in a market when it and its product are active and its merchant
    sells there."""
    sellable = (
        variant.status == Variant.Status.ACTIVE
        and variant.product.status == Product.Status.ACTIVE
        and variant.merchant.markets.filter(pk=market.pk).exists()
    )
    if not sellable:
        raise InvalidInput(
            "This item is not sold in your market.",
            code="not_available",
            details={"variant": [f"{variant.sku} cannot be bought in {market.name}."]},
        )
