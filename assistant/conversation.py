"""The conversation engine's contract: what every chat surface (crm chat, Telegram) calls.

The engine is pure: (text, acting user + clock + store in a ToolContext, conversation state) ->
Reply (text, choices, actions, new state). It calls only the tool layer; surfaces only adapt.

`respond(ctx, text, state, message_ref=…)` understands one message, acts through the tools and
answers; `message_ref` identifies the surface message (e.g. "telegram:<chat>:<message_id>") so an
edit of that message can correct what it wrote (`respond_to_edit`).
"""

from __future__ import annotations

from assistant.dialogue.reply import Choice, Reply, State
from assistant.engine import respond, respond_to_edit

__all__ = ["Choice", "Reply", "State", "respond", "respond_to_edit"]
