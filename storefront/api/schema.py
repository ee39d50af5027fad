from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

_BODY_METHODS = {"POST", "PUT", "PATCH"}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "details", "request_id"],
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "message": {"type": "string", "example": "The input is invalid."},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "Field name -> list of messages, or other context.",
        },
        "request_id": {"type": "string"},
    },
}


class AutoSchema(SpectacularAutoSchema):
    """Two conventions of this API made visible in the schema.

    - Component names come from the view that nests the serializer: each API class nests its
      own `InputSerializer` and `OutputSerializer`, and `HealthApi.OutputSerializer` becomes
      `HealthOutput`.
    - A view may declare `input_serializer_class` and `output_serializer_class`: the request
      body and the response are documented with them.
    """

    def get_serializer_name(self, serializer, direction):
        qualified = type(serializer).__qualname__.replace("Serializer", "")
        owner, _, name = qualified.rpartition(".")
        if owner:
            return owner.removesuffix("Api") + name.lstrip("_")
        return super().get_serializer_name(serializer, direction)

    def get_request_serializer(self):
        input_class = getattr(self.view, "input_serializer_class", None)
        if input_class is not None and self.method in _BODY_METHODS:
            return input_class()
        return super().get_request_serializer()

    def get_response_serializers(self):
        output_class = getattr(self.view, "output_serializer_class", None)
        if output_class is not None:
            return output_class()
        return super().get_response_serializers()


def error_responses_postprocess(result, generator, request, public):
    """Every operation can answer 4XX with the one error format."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error_response = {
        "description": "Error: `code`, `message`, field `details`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            operation.get("responses", {}).setdefault("4XX", error_response)
    return result
