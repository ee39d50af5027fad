"""Version 1 of the API. Each app adds its own `urls.py` here under its prefix."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken

from storefront.api import merchant_orders, shop
from storefront.api.views import HealthApi, PingApi

app_name = "api-v1"

account = [
    path("", shop.AccountApi.as_view(), name="account"),
    path("register/", shop.RegisterApi.as_view(), name="account-register"),
    path("login/", shop.LoginApi.as_view(), name="account-login"),
    path("export/", shop.AccountExportApi.as_view(), name="account-export"),
    path("erase/", shop.AccountEraseApi.as_view(), name="account-erase"),
    path("addresses/", shop.AddressListApi.as_view(), name="address-list"),
    path("addresses/<int:pk>/", shop.AddressDetailApi.as_view(), name="address-detail"),
]

carts = [
    path("", shop.CartCreateApi.as_view(), name="cart-create"),
    path("<uuid:token>/", shop.CartDetailApi.as_view(), name="cart-detail"),
    path("<uuid:token>/lines/", shop.CartLineApi.as_view(), name="cart-lines"),
    path("<uuid:token>/quote/", shop.CartQuoteApi.as_view(), name="cart-quote"),
    path("<uuid:token>/checkout/", shop.CheckoutApi.as_view(), name="cart-checkout"),
]

merchant = [
    path("", include("catalog.merchant_urls")),
    path("orders/", merchant_orders.MerchantOrderListApi.as_view(), name="merchant-order-list"),
    path(
        "orders/<str:number>/",
        merchant_orders.MerchantOrderDetailApi.as_view(),
        name="merchant-order-detail",
    ),
    path(
        "orders/<str:number>/ship/",
        merchant_orders.MerchantOrderShipApi.as_view(),
        name="merchant-order-ship",
    ),
]

urlpatterns = [
    path("ping/", PingApi.as_view(), name="ping"),
    path("health/", HealthApi.as_view(), name="health"),
    path("auth/token/", ObtainAuthToken.as_view(), name="auth-token"),
    path("account/", include(account)),
    path("carts/", include(carts)),
    path("orders/", shop.OrderListApi.as_view(), name="order-list"),
    path("orders/<str:number>/", shop.OrderDetailApi.as_view(), name="order-detail"),
    path("events/", shop.EventsApi.as_view(), name="events"),
    path("catalog/", include("catalog.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("forecasting/", include("forecasting.urls")),
    path("merchant/", include(merchant)),
]
