from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from storefront.health import dependencies_check


class PingApi(APIView):
    """Answers without touching any dependency: the reference endpoint for benchmarks."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    class OutputSerializer(serializers.Serializer):
        status = serializers.CharField()

    @extend_schema(operation_id="ping", responses={200: OutputSerializer}, tags=["operations"])
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class _DependencyCheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "down"])
    latency_ms = serializers.FloatField()
    error = serializers.CharField(required=False)


class HealthApi(APIView):
    """200 when every configured dependency answers, 503 with each one's result otherwise."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    class OutputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["ok", "unavailable"])
        checks = serializers.DictField(child=_DependencyCheckSerializer())

    @extend_schema(
        operation_id="health",
        responses={200: OutputSerializer, 503: OutputSerializer},
        tags=["operations"],
    )
    def get(self, request: Request) -> Response:
        report = dependencies_check()
        healthy = report["status"] == "ok"
        return Response(
            report,
            status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Cache-Control": "no-store"},
        )
