"""How the OpenAPI schema at /api/v1/schema/ is made: drf-spectacular's, plus
what it cannot know by itself (see ``AutoSchema``)."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_REFUSED = {
    "type": "object",
    "description": "What is wrong: ``detail``, or a list of messages per field "
    "(``non_field_errors`` for the whole request).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
# Every operation can answer these: a refused request, no or a wrong token, not
# allowed, nothing there (a row outside the caller's reach or a page past the
# last), too many requests.
ERROR_RESPONSES = {
    "400": ("Refused", _REFUSED, "The request was refused; the body says why."),
    "401": ("Error", _DETAIL, "No valid token or session."),
    "403": ("Error", _DETAIL, "The caller may not do this."),
    "404": ("Error", _DETAIL, "No such row within the caller's reach, or no such page."),
    "429": ("Error", _DETAIL, "Too many requests; Retry-After says when to try again."),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, telling the whole truth: every operation
    documents the errors it can answer, and fields that only staff read
    (``Meta.staff_only_fields``) are not promised to everyone."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (name, schema, description) in ERROR_RESPONSES.items():
            if code in responses:
                continue
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
            )
            self.registry.register_on_missing(component)
            responses[code] = {
                "description": description,
                "content": {"application/json": {"schema": component.ref}},
            }
        return responses

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        staff_only = getattr(getattr(serializer, "Meta", None), "staff_only_fields", ())
        if staff_only and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in staff_only]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            # An empty value is refused (helpdesk.api.FilterBackend); say so.
            if schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("minLength", 1)
        return parameters
