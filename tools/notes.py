"""One record by its id: a note read whole (what a shortened line points to, `/show N`), a follow-up."""

from __future__ import annotations

from store import queries
from store.models import FollowUp, Interaction
from tools.context import ToolContext
from tools.errors import NotFound
from tools.outputs import followup_out, interaction_out
from tools.schemas import FollowupOut, InteractionOut


def get_interaction(ctx: ToolContext, interaction_id: int) -> InteractionOut:
    """The interaction with this id, its body in full."""
    with ctx.read() as s:
        i = s.get(Interaction, interaction_id)
        if i is None:
            raise NotFound(f"There is no note number {interaction_id}.")
        name = queries.customer_names(s, [i.customer_id])[i.customer_id]
    return interaction_out(i, name, ctx.tz)


def get_followup(ctx: ToolContext, followup_id: int) -> FollowupOut:
    """The follow-up with this id, whatever its status."""
    with ctx.read() as s:
        f = s.get(FollowUp, followup_id)
        if f is None:
            raise NotFound("That follow-up no longer exists.")
        name = queries.customer_names(s, [f.customer_id])[f.customer_id]
    return followup_out(f, name, ctx.today())
