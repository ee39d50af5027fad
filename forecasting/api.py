"""The forecast of one of the merchant's SKUs, for its staff: history, forecast per market, and
what it means for the stock."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.merchant_api import MerchantApi
from forecasting import selectors
from recommendations.api import ProvenanceOutput


class SkuForecastApi(MerchantApi):
    """GET: a SKU's sales history per market, its current forecast per market (daily P10, P50,
    P90 with their provenance), its stock, and from them its days of cover, stockout date and
    probability within the supplier's lead time, and a reorder quantity. Another merchant's SKU
    is a 404, like an unknown one."""

    class OutputSerializer(serializers.Serializer):
        class HistoryOutput(serializers.Serializer):
            market = serializers.CharField()
            first_date = serializers.DateField()
            last_date = serializers.DateField()
            units = serializers.IntegerField()
            units_last_28_days = serializers.IntegerField()
            units_last_90_days = serializers.IntegerField()
            days_with_sales_last_90_days = serializers.IntegerField()

        class ForecastOutput(serializers.Serializer):
            market = serializers.CharField()
            run = serializers.IntegerField()
            dates = serializers.ListField(child=serializers.DateField())
            p10 = serializers.ListField(child=serializers.FloatField())
            p50 = serializers.ListField(child=serializers.FloatField())
            p90 = serializers.ListField(child=serializers.FloatField())
            provenance = ProvenanceOutput()

        class StockOutput(serializers.Serializer):
            stock_on_hand = serializers.IntegerField()
            allocated = serializers.IntegerField(help_text="Held for placed orders.")
            on_hand = serializers.IntegerField(help_text="Stock on hand less allocated.")
            lead_time_days = serializers.IntegerField(help_text="The supplier's lead time.")

        class OutlookOutput(serializers.Serializer):
            first_date = serializers.DateField(help_text="Today: the day cover counts from.")
            days_of_cover = serializers.IntegerField(
                help_text="Days the median demand (summed over markets) stays within stock."
            )
            covers_horizon = serializers.BooleanField(
                help_text="The stock outlasts every day looked at (the forecast, or the lead time "
                "and review period where longer): cover is at least days_of_cover."
            )
            stockout_date = serializers.DateField(allow_null=True)
            stockout_probability = serializers.FloatField(
                help_text="That demand over the lead time exceeds the stock on hand."
            )
            at_risk = serializers.BooleanField(help_text="Runs out within the lead time.")
            reorder_quantity = serializers.IntegerField()
            service_level = serializers.FloatField()
            review_days = serializers.IntegerField()

        sku = serializers.CharField()
        variant = serializers.IntegerField()
        product = serializers.CharField()
        history = HistoryOutput(many=True)
        forecasts = ForecastOutput(many=True)
        stock = StockOutput()
        outlook = OutlookOutput(allow_null=True, help_text="Null without a current forecast.")

    owned = staticmethod(catalog_selectors.variant_list_for_merchant)
    output_serializer_class = OutputSerializer

    @extend_schema(responses=OutputSerializer)
    def get(self, request, sku: str):
        variant = selectors.variant_of_merchant(merchant=request.merchant, sku=sku)
        detail = selectors.sku_detail(variant=variant)
        return Response(self.OutputSerializer(_output(detail)).data)


def _output(detail: selectors.SkuDetail) -> dict:
    variant, outlook = detail.variant, detail.outlook
    return {
        "sku": variant.sku,
        "variant": variant.pk,
        "product": variant.product.title,
        "history": detail.history,
        "forecasts": [
            {
                "market": forecast.market.code,
                "run": forecast.run_id,
                "dates": selectors.forecast_dates(forecast),
                "p10": forecast.p10,
                "p50": forecast.p50,
                "p90": forecast.p90,
                "provenance": forecast.provenance,
            }
            for forecast in detail.forecasts
        ],
        "stock": {
            "stock_on_hand": variant.stock_on_hand,
            "allocated": variant.quantity_allocated,
            "on_hand": selectors.on_hand(variant),
            "lead_time_days": variant.supplier_lead_time_days,
        },
        "outlook": None
        if outlook is None
        else {
            "first_date": outlook.first_date,
            "days_of_cover": outlook.estimate.days_of_cover,
            "covers_horizon": outlook.estimate.covers_horizon,
            "stockout_date": outlook.stockout_date,
            "stockout_probability": round(outlook.estimate.stockout_probability, 4),
            "at_risk": outlook.estimate.at_risk,
            "reorder_quantity": outlook.estimate.reorder_quantity,
            "service_level": outlook.estimate.service_level,
            "review_days": outlook.estimate.review_days,
        },
    }
