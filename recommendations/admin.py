"""Recommendation performance for merchants and ops: impressions, clicks and click-through per
market, merchant and list kind over the last 30 days, with the active model and its offline
metrics. Merchant staff see only their own products' feedback."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone

from catalog.admin import MerchantScopedMixin
from ml_models.selectors import model_version_active_get
from recommendations.models import RecommendationFeedback

WINDOW_DAYS = 30


@admin.register(RecommendationFeedback)
class RecommendationFeedbackAdmin(MerchantScopedMixin, admin.ModelAdmin):
    change_list_template = "admin/recommendations/recommendationfeedback/change_list.html"
    list_display = ("occurred_at", "action", "product", "merchant", "position", "kind", "source")
    list_filter = ("action", "recommendation__kind", "recommendation__market")
    list_select_related = ("product", "merchant", "recommendation")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="list")
    def kind(self, feedback: RecommendationFeedback) -> str:
        return feedback.recommendation.kind

    @admin.display(description="served by")
    def source(self, feedback: RecommendationFeedback) -> str:
        item = feedback.recommendation.items[feedback.position]
        version = item["provenance"].get("model_version")
        return item["provenance"]["source"] + (f" v{version}" if version else "")

    def changelist_view(self, request, extra_context=None):
        since = timezone.now() - timedelta(days=WINDOW_DAYS)
        rows = (
            self.get_queryset(request)
            .filter(occurred_at__gte=since)
            .values("recommendation__market__name", "merchant__name", "recommendation__kind")
            .annotate(
                impressions=Count("pk", filter=Q(action=RecommendationFeedback.Action.IMPRESSION)),
                clicks=Count("pk", filter=Q(action=RecommendationFeedback.Action.CLICK)),
            )
            .order_by("recommendation__market__name", "merchant__name", "recommendation__kind")
        )
        performance = [
            {
                "market": row["recommendation__market__name"],
                "merchant": row["merchant__name"],
                "kind": row["recommendation__kind"],
                "impressions": row["impressions"],
                "clicks": row["clicks"],
                "ctr": row["clicks"] / row["impressions"] if row["impressions"] else None,
            }
            for row in rows
        ]
        context = {
            "performance": performance,
            "window_days": WINDOW_DAYS,
            "active_model": _active_model_summary(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)


def _active_model_summary() -> dict | None:
    version = model_version_active_get(capability="recommendations")
    if version is None:
        return None
    return {
        "version": version.version,
        "created_at": version.created_at,
        "shoppers": version.data_window.get("users"),
        "products": version.data_window.get("items"),
        "recall": version.metrics.get("recall@20"),
        "ndcg": version.metrics.get("ndcg@10"),
        "coverage": version.metrics.get("coverage@20"),
        "baseline_recall": version.gate.get("baseline"),
    }
