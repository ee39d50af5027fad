from django.contrib import admin

from storefront.models import Market


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "currency", "prices_include_tax", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["code", "name"]
