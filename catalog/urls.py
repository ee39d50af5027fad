from django.urls import path

from catalog import api

urlpatterns = [
    path("products/", api.ProductListApi.as_view(), name="product-list"),
    path("products/<int:pk>/", api.ProductDetailApi.as_view(), name="product-detail"),
    path("categories/", api.CategoryListApi.as_view(), name="category-list"),
]
