"""The commerce core's tables, one module per part of the store."""

from storefront.models.accounts import Address, Customer
from storefront.models.carts import Cart, CartLine
from storefront.models.events import ShopperEvent
from storefront.models.markets import (
    CustomsRegime,
    DutyRate,
    ExchangeRate,
    Market,
    ShippingRate,
    ShippingZone,
    TaxRate,
)
from storefront.models.orders import (
    IdempotencyRecord,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentAttempt,
    Shipment,
)

__all__ = [
    "Address",
    "Cart",
    "CartLine",
    "Customer",
    "CustomsRegime",
    "DutyRate",
    "ExchangeRate",
    "IdempotencyRecord",
    "Market",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "PaymentAttempt",
    "Shipment",
    "ShippingRate",
    "ShippingZone",
    "ShopperEvent",
    "TaxRate",
]
