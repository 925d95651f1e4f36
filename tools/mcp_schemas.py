"""Compact JSON schemas for `tools/list`: what pydantic emits, minus what costs a model context.

An AI client puts every tool's name, description and input schema in front of the model on every
turn, and many keep the output schemas too. Pydantic's schemas carry a `title` on every property
(the field name again, capitalised), `anyOf [X, null]` for every optional field, `default: null`,
and `$defs` for shapes used once. None of it tells the model anything the property name, the type
and the description do not, so it goes. What a caller must respect stays: types, enums, required,
defaults, the ranges that matter (a page of 1 to 200, a non-negative amount).

Input schemas stay portable: one `type` per schema (some clients map tool schemas onto a
single-type dialect, e.g. Gemini's function declarations), so a nullable argument keeps its
`anyOf` and the id-or-name `customer` is advertised as a string (digits are read as an id).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

# Keys that only restate the field name (or nothing) for a model.
_NOISE = ("title",)
# Size ceilings against runaway clients (a 200-character owner, 100 tags, a 10^15 deal): enforced by
# the server with a clear error, but no real value comes near them, so they are not advertised.
_CEILINGS = ("maxLength", "minLength", "maxItems")
_HUGE = 10**9
# Unknown arguments are refused with a message naming them (the instructions say so once), so the
# per-tool (and per-object) `additionalProperties: false` need not be repeated 17 times.
_INPUT_NOISE = ("additionalProperties",)
# Output schemas: what a result's fields mean is the tool's description; clients validating
# structured results need the shapes and types, not prose or which fields are always present.
_OUTPUT_NOISE = ("description", "required", "default", "format")
# Defaults that mean "not given": saying so costs characters and adds nothing.
_EMPTY_DEFAULTS: tuple[Any, ...] = (None, "", [], {})
# Paging arguments are one shared definition, explained once in the server's instructions (pages
# of 1 to 200, `cursor` from `next_cursor`); each tool keeps their type, default and a word.
_SHARED_PAGING = ("limit", "cursor")


@dataclass(frozen=True)
class _Rules:
    drop: tuple[str, ...]
    # "drop": an optional argument's null is just leaving it out; "anyOf": null means something
    # (a partial update's "clear it") and is kept portably; "type": outputs, `type: [x, "null"]`.
    nulls: str


def input_schema(model: type[BaseModel], *, keep_null: bool = False) -> dict[str, Any]:
    """A tool's input schema, compact and portable.

    An optional argument whose default is null is simply left out by a caller, so the schema does
    not offer null — unless `keep_null` (a partial update, where null means "clear this field").
    """
    rules = _Rules(drop=_CEILINGS + _INPUT_NOISE, nulls="anyOf" if keep_null else "drop")
    schema = _compact(model.model_json_schema(), rules)
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
    return _untyped_object(
        _compact(model.model_json_schema(), _Rules(drop=_CEILINGS + _OUTPUT_NOISE, nulls="type")), 0
    )


def unstringify(model: type[BaseModel], arguments: dict[str, Any]) -> dict[str, Any]:
    """`arguments` with lists and objects sent as JSON text ('["a","b"]') parsed, where `model`'s
    field is not a plain string: some clients send them so, and the SDK's own adapter accepts them."""
    fixed = dict(arguments)
    for name, value in arguments.items():
        field = model.model_fields.get(name)
        if field is None or field.annotation is str or not isinstance(value, str):
            continue
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            continue
        if isinstance(parsed, list | dict):
            fixed[name] = parsed
    return fixed


def _untyped_nested(node: Any, depth: int) -> Any:
    if isinstance(node, list):
        return [_untyped_nested(v, depth) for v in node]
    if not isinstance(node, dict):
        return node
    return _untyped_object(node, depth)


def _untyped_object(node: dict[str, Any], depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _field(v, depth + 1) for name, v in value.items()}
        else:
            out[key] = _untyped_nested(value, depth)
    return out


def _field(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth == 1 or "properties" in schema or "items" in schema or "$ref" in schema:
        return _untyped_object(schema, depth)
    return {}


def _compact(schema: dict[str, Any], rules: _Rules) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    uses: dict[str, int] = {}
    _count_refs(schema, uses)
    for d in defs.values():
        _count_refs(d, uses)
    # A shape used once reads better inline; one used several times is defined once.
    inline = {name for name in defs if uses.get(name, 0) <= 1}
    out = _walk_object(schema, defs, inline, rules)
    kept = {name: _walk(d, defs, inline, rules) for name, d in defs.items() if name not in inline}
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


def _walk(node: Any, defs: dict[str, Any], inline: set[str], rules: _Rules) -> Any:
    if isinstance(node, list):
        return [_walk(v, defs, inline, rules) for v in node]
    if not isinstance(node, dict):
        return node
    return _walk_object(node, defs, inline, rules)


def _walk_object(
    node: dict[str, Any], defs: dict[str, Any], inline: set[str], rules: _Rules
) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.removeprefix("#/$defs/") in inline:
        merged = {**defs[ref.removeprefix("#/$defs/")], **{k: v for k, v in node.items() if k != "$ref"}}
        return _walk_object(merged, defs, inline, rules)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _NOISE and not isinstance(value, dict):
            continue
        if key == "default" and any(value == e and type(value) is type(e) for e in _EMPTY_DEFAULTS):
            continue
        if key in rules.drop and not (key == "required" and not isinstance(value, list)):
            continue
        if key == "maximum" and isinstance(value, int | float) and value >= _HUGE:
            continue  # a storage limit (64-bit ids, finite amounts), not a rule a caller meets
        if key == "properties":
            out[key] = {name: _walk(v, defs, inline, rules) for name, v in value.items()}
        else:
            out[key] = _walk(value, defs, inline, rules)
    if "anyOf" in out:
        out = _simplify_union(out, rules)
    if "enum" in out and out.get("type") == "string":
        del out["type"]  # the values say it
    return out


def _simplify_union(node: dict[str, Any], rules: _Rules) -> dict[str, Any]:
    """`anyOf [X, null]` and `anyOf [integer, string]` in their shortest form the rules allow."""
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    nulls = [a for a in node["anyOf"] if a == {"type": "null"}]
    others = [a for a in node["anyOf"] if a != {"type": "null"}]
    keep_null = bool(nulls) and rules.nulls != "drop"
    if [a.get("type") for a in others] == ["integer", "string"] and all(len(a) == 1 for a in others):
        # An id or a name: on input a string does (digits are read as an id); a result says both.
        if rules.nulls != "type":
            arm: dict[str, Any] = {"type": "string"}
            return {"anyOf": [arm, {"type": "null"}], **rest} if keep_null else {**arm, **rest}
        return {"type": ["integer", "string"] + (["null"] if nulls else []), **rest}
    if len(others) != 1 or not nulls:
        return node
    arm = dict(others[0])
    if not keep_null:
        return {**arm, **rest}
    if rules.nulls == "type" and isinstance(arm.get("type"), str):
        arm["type"] = [arm["type"], "null"]
        return {**arm, **rest}
    return {"anyOf": [arm, {"type": "null"}], **rest}
