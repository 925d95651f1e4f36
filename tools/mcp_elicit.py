"""Asking the user which customer a write means, when the client can ask (MCP elicitation).

A write never guesses: a name that fits several customers (or only nearly fits one) is refused
with the candidates. A client that declares the elicitation capability (Claude Code, VS Code) can
put that question to the user directly instead of making the model relay it. So before a write
tool runs, a resolver (the SDK's `Resolve`) checks the customer argument the way the write will;
when it is ambiguous it asks, through the SDK, which of the candidates is meant, or none of them.
The write then runs on the chosen id, or is not run at all. Clients without the capability get
today's tool error listing the candidates, and nothing is asked.

The SDK carries the question on whatever the protocol version offers: an `elicitation/create`
request mid-call (up to 2025-11-25) or an input-required result the client answers by retrying
(2026-07-28).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
)
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, ValidationError, create_model

from tools.context import ToolContext
from tools.errors import USER_ERRORS, AmbiguousCustomer, Candidate
from tools.mcp_schemas import unstringify
from tools.names import resolve_customer
from tools.registry import ToolSpec

NONE_OF_THESE = "None of these"
# The outcome the SDK injects: the user's answer, or (nothing asked) an accepted None.
Choice = AcceptedElicitation[Any] | DeclinedElicitation | CancelledElicitation | None


def elicits(spec: ToolSpec) -> bool:
    """Whether a tool's calls may ask: a write with a `customer` argument."""
    return not spec.read_only and "customer" in spec.input.model_fields


def client_can_ask(context: Context[Any, Any]) -> bool:
    """True when the client declared form elicitation (a bare `elicitation: {}` counts as form)."""
    capabilities = context.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def call_arguments(context: Context[Any, Any]) -> dict[str, Any]:
    """The arguments exactly as the client sent them.

    Not the SDK's per-parameter values: those would fill in every default, which loses the
    difference between "not given" and "given as null" (`update_customer` changes only the fields
    a caller named) and silently drops unknown arguments, which the tool's strict model refuses.
    """
    params = context.request_context.params or {}
    arguments = params.get("arguments") or {}
    return dict(arguments) if isinstance(arguments, dict) else {}


def ambiguity(ctx: ToolContext, ref: Any) -> AmbiguousCustomer | None:
    """The ambiguity a write on `ref` would refuse with, or None when it resolves (or is not found)."""
    if not isinstance(ref, int | str) or isinstance(ref, bool) or not str(ref).strip():
        return None
    try:
        with ctx.read() as s:
            resolve_customer(s, ref)
    except AmbiguousCustomer as e:
        return e
    except USER_ERRORS:
        return None  # not found, a busy database…: the tool itself says so, in its own words
    return None


def worth_asking(spec: ToolSpec, arguments: dict[str, Any]) -> bool:
    """Whether to ask at all: asking the user about a call with bad arguments wastes their time."""
    try:
        spec.input.model_validate(unstringify(spec.input, arguments))
    except ValidationError:
        return False
    return True


def label(candidate: Candidate) -> str:
    """How a candidate is offered: id first, so the answer maps back to it without a lookup."""
    via = f" (via {candidate.via})" if candidate.via else ""
    return f"#{candidate.id} {candidate.name}{via}"


def question(said: str, candidates: list[Candidate]) -> Elicit[BaseModel]:
    """The form: one choice among the candidates' labels, plus "None of these"."""
    labels = [label(c) for c in candidates]
    # A choice built at run time: no static type to give it, so pydantic alone checks the answer.
    options: Any = Literal[tuple(labels + [NONE_OF_THESE])]
    form = create_model(
        "WhichCustomer",
        customer=(options, Field(description="The customer you mean.")),
    )
    if len(candidates) == 1:
        message = f"{said!r} is not an exact match. Did you mean {labels[0]}?"
    else:
        message = f"{said!r} could be several customers. Which one do you mean?"
    return Elicit(message, form)


def ask_which_customer(
    spec: ToolSpec, ctx: ToolContext
) -> Callable[[Context[Any, Any]], Elicit[BaseModel] | None]:
    """The resolver for `spec`: asks only when the client can and the customer is ambiguous."""

    def which_customer(mcp_context: Context[Any, Any]) -> Elicit[BaseModel] | None:
        if not client_can_ask(mcp_context):
            return None
        arguments = call_arguments(mcp_context)
        # A follow-up named by id is found by its id: the customer beside it is not looked up.
        if arguments.get("followup_id") is not None or not worth_asking(spec, arguments):
            return None
        refused = ambiguity(ctx, arguments.get("customer"))
        if refused is None or not refused.candidates:
            return None
        return question(refused.query, refused.candidates)

    which_customer.__qualname__ = f"which_customer_{spec.name}"
    return which_customer


def chosen_customer(arguments: dict[str, Any], choice: Choice) -> dict[str, Any]:
    """The call's arguments with the user's pick as the customer; ToolError when they picked none."""
    if choice is None or (isinstance(choice, AcceptedElicitation) and choice.data is None):
        return arguments  # nothing was asked
    said = arguments.get("customer")
    if not isinstance(choice, AcceptedElicitation):
        raise ToolError(
            f"The user did not say which customer {said!r} means ({choice.action}); nothing was written. "
            "Ask them, or pass the customer's id."
        )
    picked = getattr(choice.data, "customer", None)
    number = picked.split(" ", 1)[0].removeprefix("#") if isinstance(picked, str) else ""
    if picked == NONE_OF_THESE or not number.isdigit():
        raise ToolError(
            f"The user said {said!r} is none of the customers offered; nothing was written. "
            "Ask who they mean, or offer to create the customer."
        )
    return {**arguments, "customer": int(number)}
