"""Compact JSON schemas for `tools/list`: what pydantic emits, minus what costs a model context.

An AI client puts every tool's name, description and input schema in front of the model on every
turn, and many keep the output schemas too. Pydantic's schemas carry a `title` on every property
(the field name again, capitalised), `anyOf [X, null]` for every optional field, `default: null`,
and `$defs` for shapes used once. None of it tells the model anything the property name, the type
and the description do not, so it goes; constraints (minimum, maxLength, enum, format, required,
additionalProperties) stay, because the server enforces them and a model should know.
"""
from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

# Keys that only restate the field name (or nothing) for a model.
_NOISE = ("title",)
# Size ceilings against runaway clients (a 200-character owner, 100 tags, a 10^15 deal): enforced by
# the server with a clear error, but no real value comes near them, so they are not advertised.
_CEILINGS = ("maxLength", "minLength", "maxItems")
# Unknown arguments are refused with a message naming them (the instructions say so once), so the
# per-tool (and per-object) `additionalProperties: false` need not be repeated 17 times.
_INPUT_NOISE = ("additionalProperties",)
_HUGE = 10**9
# Output schemas: what a result's fields mean is the tool's description; clients validating
# structured results need the shapes and types, not prose or which fields are always present.
_OUTPUT_NOISE = ("description", "required", "default", "format")
# Defaults that mean "not given": saying so costs characters and adds nothing.
_EMPTY_DEFAULTS: tuple[Any, ...] = (None, "", [], {})


# Paging arguments are one shared definition, explained once in the server's instructions (pages
# of at most 200, `cursor` from `next_cursor`); each tool keeps their type, default and a word.
_SHARED_PAGING = ("limit", "cursor")


def input_schema(model: type[BaseModel], *, keep_null: bool = False) -> dict[str, Any]:
    """A tool's input schema, compact.

    An optional argument whose default is null is simply left out by a caller, so the schema does
    not offer null — unless `keep_null` (a partial update, where null means "clear this field").
    """
    schema = _compact(model.model_json_schema(), drop_null=not keep_null, drop=_CEILINGS + _INPUT_NOISE)
    for name in _SHARED_PAGING:
        field = schema.get("properties", {}).get(name)
        if field is not None:
            schema["properties"][name] = {k: v for k, v in field.items() if k not in ("minimum", "maximum")}
    return schema


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A tool's output schema, compact. Nulls stay: clients validate structured results against it.

    The result's own fields are typed; inside nested objects (a follow-up, an interaction, a
    customer: the same shapes in every tool) the fields are listed without their types, which
    the values show.
    """
    return _untyped_nested(_compact(model.model_json_schema(), drop_null=False, drop=_CEILINGS + _OUTPUT_NOISE))


def _untyped_nested(node: Any, depth: int = 0) -> Any:
    if isinstance(node, list):
        return [_untyped_nested(v, depth) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _field(v, depth + 1) for name, v in value.items()}
        else:
            out[key] = _untyped_nested(value, depth)
    return out


def _field(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth == 1 or "properties" in schema or "items" in schema or "$ref" in schema:
        return _untyped_nested(schema, depth)
    return {}


def _compact(schema: dict[str, Any], *, drop_null: bool, drop: tuple[str, ...]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    uses: dict[str, int] = {}
    _count_refs(schema, uses)
    for d in defs.values():
        _count_refs(d, uses)
    # A shape used once reads better inline; one used several times is defined once.
    inline = {name for name in defs if uses.get(name, 0) <= 1}
    out = _walk(schema, defs, inline, drop_null, drop)
    kept = {name: _walk(d, defs, inline, drop_null, drop) for name, d in defs.items() if name not in inline}
    if kept:
        out["$defs"] = kept
    return out


def _count_refs(node: Any, uses: dict[str, int]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            uses[name] = uses.get(name, 0) + 1
        for value in node.values():
            _count_refs(value, uses)
    elif isinstance(node, list):
        for value in node:
            _count_refs(value, uses)


def _walk(node: Any, defs: dict[str, Any], inline: set[str], drop_null: bool, drop: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_walk(v, defs, inline, drop_null, drop) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.removeprefix("#/$defs/") in inline:
        merged = {**defs[ref.removeprefix("#/$defs/")], **{k: v for k, v in node.items() if k != "$ref"}}
        return _walk(merged, defs, inline, drop_null, drop)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _NOISE and not isinstance(value, dict):
            continue
        if key == "default" and any(value == e and type(value) is type(e) for e in _EMPTY_DEFAULTS):
            continue
        if key in drop and not (key == "required" and not isinstance(value, list)):
            continue
        if key in ("maximum", "minimum") and isinstance(node.get("maximum"), int | float) and node["maximum"] >= _HUGE:
            continue  # a storage range (a row id within 64 bits), not a rule a caller needs
        if key == "properties":
            out[key] = {name: _walk(v, defs, inline, drop_null, drop) for name, v in value.items()}
        else:
            out[key] = _walk(value, defs, inline, drop_null, drop)
    if "anyOf" in out:
        out = _merge_nullable(out, drop_null)
    if "enum" in out and out.get("type") == "string":
        del out["type"]  # the values say it
    return out


def _merge_nullable(node: dict[str, Any], drop_null: bool) -> dict[str, Any]:
    """`anyOf [X, null]` becomes X (or X with type [x, "null"]); `anyOf [integer, string]` a type list."""
    arms = node["anyOf"]
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    nulls = [a for a in arms if a == {"type": "null"}]
    others = [a for a in arms if a != {"type": "null"}]
    if all(set(a) == {"type"} and isinstance(a["type"], str) for a in others) and len(others) > 1:
        # Plain alternatives ("an id or a name"): one type list says the same in a fraction.
        types = [a["type"] for a in others] + ([] if drop_null or not nulls else ["null"])
        return {"type": types, **rest}
    if len(others) != 1 or not nulls:
        return node
    arm = dict(others[0])
    if not drop_null:
        if isinstance(arm.get("type"), str):
            arm["type"] = [arm["type"], "null"]
        elif "$ref" in arm:
            return node
        else:
            return node
    return {**arm, **rest}
