"""A follow-up found by its topic never jumps customers (lead's blind-set class a): a word of the
message that starts a customer's name narrows the search to that customer, and a topic that fits
follow-ups of several customers with none named makes the engine ask whose — never pick one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.conversation import respond
from tests.assistant.corpus import _by_name, fresh_book
from tests.conftest import Databases
from tools.context import ToolContext

# Each of these customers gets a "walkthrough" follow-up (some with more words) before the message.
SETUP = [
    "book studio walkthrough with Summit Partners on friday",
    "walkthrough with Acme thursday",
    "walkthrough prep for Helios Labs on monday",
    "kettle & crumb walkthrough next tuesday",
]
WORDS = ["summit", "Summit", "acme", "helios", "kettle", "lumiere", "nordlicht", "juno", ""]
VERBS = [
    "push the {} walkthrough to monday",
    "move the {} walkthrough back two days",
    "{} walkthrough done ✅",
    "cancel the {} walkthrough",
    "bump the {} walkthrough a week",
]


def _open_walkthroughs(ctx: ToolContext) -> dict[str, list[tuple[str, str]]]:
    return {
        name: [(f["due"], f["status"]) for f in c["followups"] if "walkthrough" in (f["description"] or "")]
        for name, c in _by_name(ctx).items()
    }


@st.composite
def messages(draw: st.DrawFn) -> str:
    return " ".join(draw(st.sampled_from(VERBS)).format(draw(st.sampled_from(WORDS))).split())


@settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messages())
def test_a_topic_edit_only_touches_a_customer_the_message_names(
    databases: Databases, tmp_path_factory, text: str
) -> None:
    with fresh_book(databases, tmp_path_factory, "f") as ctx:
        for line in SETUP:
            assert respond(ctx, line).wrote, line
        before = _open_walkthroughs(ctx)
        reply = respond(ctx, text)
        after = _open_walkthroughs(ctx)
        changed = [name for name in after if after[name] != before.get(name)]
        word = next((w for w in WORDS if w and w.lower() in text.lower().split()), None)
        if word is None:
            assert not changed, (text, reply.text)  # no customer named, four fit: it asks
        else:
            assert all(word.lower() in name.lower() for name in changed), (text, changed, reply.text)


@pytest.mark.parametrize(
    ("text", "whose"),
    [
        ("push the summit walkthrough to monday", "Summit Partners"),
        ("move the acme walkthrough back two days", "Acme Corp"),
        ("cancel the kettle walkthrough", "Kettle & Crumb Bakery"),
    ],
)
def test_the_named_customers_follow_up_is_the_one_edited(book: ToolContext, text: str, whose: str) -> None:
    for line in SETUP:
        respond(book, line)
    before = _open_walkthroughs(book)
    reply = respond(book, text)
    after = _open_walkthroughs(book)
    assert reply.wrote, reply.text
    assert [n for n in after if after[n] != before.get(n)] == [whose]


def test_no_customer_named_and_several_fit_asks_whose(book: ToolContext) -> None:
    for line in SETUP:
        respond(book, line)
    asked = respond(book, "push the walkthrough to monday")
    assert not asked.wrote and "Whose follow-up" in asked.text
    done = respond(book, "Summit Partners", asked.state)
    assert done.wrote and "Summit Partners" in done.text
