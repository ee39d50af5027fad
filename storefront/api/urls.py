"""Version 1 of the API. Each app adds its own `urls.py` here under its prefix."""

from django.urls import path

from storefront.api.views import HealthApi, PingApi

app_name = "api-v1"

urlpatterns = [
    path("ping/", PingApi.as_view(), name="ping"),
    path("health/", HealthApi.as_view(), name="health"),
]
