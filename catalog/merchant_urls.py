from django.urls import path

from catalog import merchant_api as api

urlpatterns = [
    path("products/", api.MerchantProductListApi.as_view(), name="merchant-product-list"),
    path(
        "products/<int:pk>/", api.MerchantProductDetailApi.as_view(), name="merchant-product-detail"
    ),
    path(
        "products/<int:pk>/archive/",
        api.MerchantProductArchiveApi.as_view(),
        name="merchant-product-archive",
    ),
    path("variants/", api.MerchantVariantListApi.as_view(), name="merchant-variant-list"),
    path(
        "variants/<int:pk>/", api.MerchantVariantDetailApi.as_view(), name="merchant-variant-detail"
    ),
    path(
        "variants/<int:pk>/archive/",
        api.MerchantVariantArchiveApi.as_view(),
        name="merchant-variant-archive",
    ),
    path("images/", api.MerchantImageListApi.as_view(), name="merchant-image-list"),
    path("images/<int:pk>/", api.MerchantImageDetailApi.as_view(), name="merchant-image-detail"),
    path("contents/", api.MerchantContentListApi.as_view(), name="merchant-content-list"),
    path(
        "contents/<int:pk>/", api.MerchantContentDetailApi.as_view(), name="merchant-content-detail"
    ),
]
