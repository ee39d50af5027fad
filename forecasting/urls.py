from django.urls import path

from forecasting import api

urlpatterns = [
    path("skus/<str:sku>/", api.SkuForecastApi.as_view(), name="forecasting-sku"),
]
