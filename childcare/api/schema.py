"""OpenAPI additions: every operation documents its problem-details errors."""

from childcare.api.errors import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Validation errors: field -> messages.",
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}
ERROR_STATUSES = {
    "400": "The request is not valid.",
    "401": "Authentication is needed, or the key is not valid.",
    "403": "This is not allowed (e.g. a read-only key writing).",
    "404": "Not found, or not yours to see.",
    "406": "This response format is not available.",
    "429": "Too many requests.",
}

WRITE_ERROR_STATUSES = {"409": "A rule of the domain forbids this now; nothing was changed."}


def add_problem_responses(result, generator, request, public):
    """Postprocessing hook: a shared Problem component and the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            statuses = ERROR_STATUSES if method == "get" else {**ERROR_STATUSES, **WRITE_ERROR_STATUSES}
            for code, description in statuses.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": reference}}},
                )
    return result
