"""Version 1 of the API. Each app adds its own `urls.py` here under its prefix."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken

from storefront.api.views import HealthApi, PingApi

app_name = "api-v1"

urlpatterns = [
    path("ping/", PingApi.as_view(), name="ping"),
    path("health/", HealthApi.as_view(), name="health"),
    path("auth/token/", ObtainAuthToken.as_view(), name="auth-token"),
    path("catalog/", include("catalog.urls")),
    path("merchant/", include("catalog.merchant_urls")),
]
