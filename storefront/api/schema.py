from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Names schema components after the view that nests the serializer.

    Each API class nests its own `InputSerializer` and `OutputSerializer` (one class per
    operation); `HealthApi.OutputSerializer` becomes the component `HealthOutput`.
    """

    def get_serializer_name(self, serializer, direction):
        qualified = type(serializer).__qualname__.replace("Serializer", "")
        owner, _, name = qualified.rpartition(".")
        if owner:
            return owner.removesuffix("Api") + name.lstrip("_")
        return super().get_serializer_name(serializer, direction)
