from django.urls import path

from recommendations import api

urlpatterns = [
    path("for-you/", api.ForYouApi.as_view(), name="recommendations-for-you"),
    path("similar/<int:product_id>/", api.SimilarApi.as_view(), name="recommendations-similar"),
    path(
        "bought-together/<int:product_id>/",
        api.BoughtTogetherApi.as_view(),
        name="recommendations-bought-together",
    ),
    path("trending/", api.TrendingApi.as_view(), name="recommendations-trending"),
    path("feedback/", api.FeedbackApi.as_view(), name="recommendations-feedback"),
]
