"""Views that exist only to exercise the API conventions (errors, throttling, pagination)."""

from django.contrib.auth import get_user_model
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from storefront.errors import Conflict


class EchoApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=1)
        sku = serializers.CharField(max_length=8)

    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class ConflictApi(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        raise Conflict("Stock changed.", code="stock_changed", details={"sku": ["Only 2 left."]})


class CrashApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom for customer jane@example.com")


class UserListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    queryset = get_user_model().objects.all()
    filterset_fields = ["is_staff"]
    ordering_fields = ["username"]
    ordering = ["id"]

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()

    serializer_class = OutputSerializer


api_patterns = [
    path("echo/", EchoApi.as_view()),
    path("conflict/", ConflictApi.as_view()),
    path("crash/", CrashApi.as_view()),
    path("users/", UserListApi.as_view()),
]

urlpatterns = [path("api/test/", include(api_patterns)), path("", include("storefront.urls"))]
handler500 = "storefront.api.exceptions.server_error_view"
