from django.contrib import admin

from catalog.admin import MerchantScopedMixin, request_merchant
from support_bot.models import FaqEntry


@admin.register(FaqEntry)
class FaqEntryAdmin(MerchantScopedMixin, admin.ModelAdmin):
    """Merchant staff keep their own answers; store-wide entries (no merchant) are ops'."""

    list_display = ["question", "topic", "language", "merchant", "updated_at"]
    list_filter = ["topic", "language", "merchant"]
    search_fields = ["question", "answer"]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.merchant = request_merchant(request)
        super().save_model(request, obj, form, change)
