"""Plain-text views of tool outputs, for the terminal and chat replies."""
from __future__ import annotations

from datetime import date, datetime

from tools.dates import format_day
from tools.schemas import (
    ChangeList, CustomerList, CustomerProfile, FollowupList, FollowupOut, InteractionList, InteractionOut, Pipeline,
    StaleList,
)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A left-aligned text table; cells are cut at 60 characters to keep lines readable."""
    cells = [[(c if len(c) <= 60 else c[:59] + "…") for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def day(d: date | datetime | None, today: date | None = None) -> str:
    if d is None:
        return "—"
    return format_day(d.date() if isinstance(d, datetime) else d, today)


def money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def customers(result: CustomerList, today: date) -> str:
    if not result.items:
        return "No customers found."
    rows = [[f"#{c.id}", c.name, c.stage, c.owner or "", ", ".join(c.tags), day(c.last_contact, today)] for c in result.items]
    out = table(["id", "name", "stage", "owner", "tags", "last contact"], rows)
    return out + ("\n(more: use --cursor " + result.next_cursor + ")" if result.next_cursor else "")


def followup_line(f: FollowupOut, today: date, *, with_owner: bool = True) -> str:
    when = day(f.due, today) + (f" {f.due_time}" if f.due_time else "")
    flag = " (OVERDUE)" if f.overdue else ""
    who = f" [{f.owner}]" if with_owner and f.owner else ""
    what = f" — {f.description}" if f.description else ""
    return f"{when}{flag}: {f.customer_name}{what}{who} (#{f.id})"


def followups(result: FollowupList, today: date) -> str:
    if not result.items:
        return "No open follow-ups."
    lines = [followup_line(f, today) for f in result.items]
    if result.has_more:
        lines.append(f"… and {result.total - len(result.items)} more")
    return "\n".join(lines)


def interaction_line(i: InteractionOut, today: date, *, width: int = 160) -> str:
    body = " ".join(i.body.split())
    body = body if len(body) <= width else body[: width - 1] + "…"
    return f"{day(i.occurred_at, today)} {i.kind} — {i.customer_name}: {body}"


def interactions(result: InteractionList, today: date) -> str:
    if not result.items:
        return "No matching notes."
    return "\n".join(interaction_line(i, today) for i in result.items)


def profile(p: CustomerProfile, today: date) -> str:
    head = f"{p.name} (#{p.id}) — {p.stage}"
    facts = [f"owner {p.owner}" if p.owner else "", p.email or "", p.phone or "",
             f"value {money(p.value)}" if p.value is not None else "", ", ".join(p.tags)]
    lines = [head, " · ".join(f for f in facts if f)]
    if p.contacts:
        lines.append("Contacts: " + "; ".join(
            c.name + (f" ({c.role})" if c.role else "") + (f" {c.email}" if c.email else "") for c in p.contacts))
    lines.append(f"Last contact: {day(p.last_contact, today)}")
    if p.recent_interactions:
        lines.append("Recent:")
        lines += ["  " + interaction_line(i, today) for i in p.recent_interactions]
        if p.more_interactions:
            lines.append(f"  … {p.more_interactions} older")
    if p.open_followups:
        lines.append("Open follow-ups:")
        lines += ["  " + followup_line(f, today) for f in p.open_followups]
    if p.stage_history:
        lines.append("Stage history: " + "; ".join(
            f"{h.from_stage or '—'} → {h.to_stage} {day(h.at, today)}" + (f" by {h.by}" if h.by else "")
            for h in p.stage_history))
    return "\n".join(line for line in lines if line)


def pipeline(p: Pipeline) -> str:
    rows = [[t.stage, str(t.count), money(t.value)] for t in p.stages]
    rows.append(["open", str(p.open_count), money(p.open_value)])
    return table(["stage", "customers", "value"], rows)


def stale(result: StaleList, today: date) -> str:
    if not result.items:
        return f"Nobody in an open stage has gone quiet for {result.days} days."
    lines = [f"No contact for {result.days}+ days:"]
    for c in result.items:
        since = f"last contact {day(c.last_contact, today)} ({c.days_since} days)" if c.last_contact else "never contacted"
        lines.append(f"  {c.name} — {c.stage}, {since}")
    return "\n".join(lines)


def changes(result: ChangeList) -> str:
    if not result.items:
        return "No changes yet."
    rows = [[c.at.strftime("%Y-%m-%d %H:%M"), c.actor, c.source, c.op, f"{c.entity} #{c.entity_id}",
             c.summary + (" (undone)" if c.undone else "")] for c in result.items]
    return table(["when", "who", "via", "op", "what", "summary"], rows)
