from storefront.models import Order
from storefront.services.carts import cart_create, cart_line_set
from storefront.services.checkout import CheckoutRequest, checkout_complete

ADDRESS = {"full_name": "Ada Shopper", "line1": "1 Main Street", "city": "Town"}


def place_order(market, *lines: tuple, country: str = "DE", **request) -> Order:
    """A guest's order of `lines` ((variant, quantity), ...); `request` overrides fields of the
    CheckoutRequest (payment_method, client_ip, ip_country, device_id, email...)."""
    cart = cart_create(market=market)
    for variant, quantity in lines:
        cart_line_set(cart=cart, variant_id=variant.pk, quantity=quantity)
    return checkout_complete(
        cart=cart,
        customer=None,
        request=CheckoutRequest(
            **{
                "email": "ada@example.com",
                "shipping_address": {**ADDRESS, "country": country},
                "billing_country": country,
                "payment_method": "pm_card_visa",
                **request,
            }
        ),
    )
