"""One short sentence per tool call made, so the reply says everything that was done."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from tools.dates import format_day


def confirm(tool: str, result: Any, today: date, args: BaseModel | None = None) -> str:
    """What a tool call did, e.g. 'Follow-up with Acme Corp Fri 6 Mar: send pricing'."""
    if tool == "log_interaction":
        i = result.interaction
        return f"Logged {i.kind} with {i.customer_name} ({format_day(i.occurred_at.date(), today)})"
    if tool == "schedule_followup":
        f = result.followup
        at = f" {f.due_time}" if f.due_time else ""
        what = f": {f.description}" if f.description else ""
        return f"Follow-up with {f.customer_name} {format_day(f.due, today)}{at}{what}"
    if tool == "set_stage":
        if not result.changed:
            return f"{result.customer_name} is already in {result.to_stage}"
        return f"Moved {result.customer_name}: {result.from_stage} → {result.to_stage}"
    if tool == "complete_followup":
        f = result.followup
        return f"Marked {f.status} the follow-up with {f.customer_name}" + (
            f" ({f.description}, due {format_day(f.due, today)})"
            if f.description
            else f" (due {format_day(f.due, today)})"
        )
    if tool == "reschedule_followup":
        f = result.followup
        if result.previous_due == f.due:
            return f"The follow-up with {f.customer_name} is already due {format_day(f.due, today)}"
        return (
            f"Moved the follow-up with {f.customer_name} from {format_day(result.previous_due, today)} "
            f"to {format_day(f.due, today)}" + (f" ({f.description})" if f.description else "")
        )
    if tool == "update_customer":
        c = result.customer
        if not result.changes:
            return f"Nothing to change on {c.name}: it is already so"
        return f"Updated {c.name}: " + ", ".join(
            f"name {ch.old} → {ch.new}" if ch.field == "name" else f"{ch.field} {_show(ch.new)}"
            for ch in result.changes
        )
    if tool == "add_contact":
        p = result.contact
        extra = ", ".join(x for x in (p.role, p.email, p.phone) if x)
        return f"Added {p.name}" + (f" ({extra})" if extra else "") + f" at {result.customer_name}"
    if tool == "create_customer":
        c = result.customer
        person = getattr(args, "contact", None)
        extra = ""
        if person is not None:
            extra = (
                f", contact {person.name}"
                + (f" ({person.role})" if person.role else "")
                + (f" <{person.email}>" if person.email else "")
                + (f" {person.phone}" if person.phone else "")
            )
        details = [f"{k} {getattr(c, k)}" for k in ("email", "phone") if getattr(c, k, None)]
        extra += "".join(f", {d}" for d in details)
        return f"Created {c.name} ({c.stage}){extra}" + (
            f" — note: {result.warning}" if result.warning else ""
        )
    return tool


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    return "(none)" if value in (None, "") else str(value)
