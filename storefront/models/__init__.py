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
    Chargeback,
    IdempotencyRecord,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentAttempt,
    Return,
    Shipment,
    SimulationTruth,
)

__all__ = [
    "Address",
    "Cart",
    "CartLine",
    "Chargeback",
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
    "Return",
    "Shipment",
    "ShippingRate",
    "ShippingZone",
    "ShopperEvent",
    "SimulationTruth",
    "TaxRate",
]
