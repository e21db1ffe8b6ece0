"""Discord's OpenAPI description (HTTP API v10): which routes exist, and what a body must hold."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SPEC_CANDIDATES = (
    Path(__file__).resolve().parents[3] / "shared" / "discord-api" / "openapi.json",
    Path("/work/shared/discord-api/openapi.json"),
)
METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    """One route and method of the description, with the JSON schema of its body."""

    template: str
    method: str
    pattern: re.Pattern[str]
    body: dict[str, Any] | None
    body_required: bool


class DiscordSpec:
    """Looks up requests in openapi.json and validates their JSON bodies against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations: list[Operation] = []
        for template, item in document["paths"].items():
            regex = re.sub(r"\\\{[a-z_0-9]+\\\}", r"[^/]+", re.escape(template))
            pattern = re.compile(f"^{regex}$")
            for method in METHODS:
                if method not in item:
                    continue
                body = item[method].get("requestBody")
                schema = body["content"].get("application/json", {}).get("schema") if body else None
                required = bool(body and body.get("required"))
                self.operations.append(Operation(template, method, pattern, schema, required))
        # Literal segments first: /users/@me must win over /users/{user_id}.
        self.operations.sort(key=lambda op: op.template.count("{"))

    def find(self, method: str, path: str) -> Operation | None:
        """The operation a request calls, or None when Discord has no such route and method."""
        for operation in self.operations:
            if operation.method == method.lower() and operation.pattern.match(path):
                return operation
        return None

    def problems(self, method: str, path: str, body: Any) -> list[str]:
        """Why a request would not be accepted as described: route, method, body fields."""
        operation = self.find(method, path)
        if operation is None:
            return [f"{method} {path}: no such route and method in openapi.json"]
        if operation.body is None:
            return []
        if body is None:
            return (
                [f"{method} {operation.template}: a body is required"]
                if operation.body_required
                else []
            )
        validator = _validator(json.dumps(operation.body, sort_keys=True), id(self.document))
        return [
            f"{method} {operation.template}: {'/'.join(map(str, error.absolute_path))}: "
            f"{error.message[:300]}"
            for error in validator.iter_errors(body)
        ]


_DOCUMENTS: dict[int, dict[str, Any]] = {}


@cache
def _validator(schema: str, document: int) -> Draft202012Validator:
    # The body's schema with the description's components beside it, so "#/components/..." resolves.
    root = {**json.loads(schema), "components": _DOCUMENTS[document]["components"]}
    return Draft202012Validator(root)


@cache
def load_spec() -> DiscordSpec:
    """The description shipped beside the repository."""
    for candidate in SPEC_CANDIDATES:
        if candidate.is_file():
            document = json.loads(candidate.read_text(encoding="utf-8"))
            # Discord takes a snowflake as a string or as a JSON number (discord.py sends
            # numbers, e.g. recipient_id); the description names only the string.
            snowflake = document["components"]["schemas"]["SnowflakeType"]
            document["components"]["schemas"]["SnowflakeType"] = {
                "anyOf": [snowflake, {"type": "integer", "minimum": 0}]
            }
            spec = DiscordSpec(document)
            _DOCUMENTS[id(document)] = document
            return spec
    raise FileNotFoundError(
        "openapi.json of the Discord API: " + ", ".join(map(str, SPEC_CANDIDATES))
    )
