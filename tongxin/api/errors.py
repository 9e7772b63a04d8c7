"""The error answers of the API, declared in its schema for every operation.

Every error is JSON with a `detail`: a Chinese message, or (422) the list of fields that
failed validation. Clients, and schemathesis in the suite, can rely on that shape."""

from typing import Any

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}],
        }
    },
    "required": ["detail"],
}

ERRORS = {
    "400": "请求有误",
    "401": "未登录或接口令牌无效",
    "403": "无权执行此操作",
    "404": "未找到（或不在您的辖区内）",
    "409": "与当前状态冲突",
    "413": "提交的内容过大",
    "422": "参数不符合要求",
}


def declare_errors(schema: Any) -> Any:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERRORS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return schema
