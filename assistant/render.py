"""Plain-text views of tool outputs, for the terminal and chat replies.

Terminal views take a `width`: a table shortens its widest columns, then drops the least needed
ones, so no row is longer than the terminal (a wrapped row is unreadable); `--json` is unaffected.
"""

from __future__ import annotations

from datetime import date, datetime

from tools.dates import format_day
from tools.schemas import (
    ChangeList,
    CustomerList,
    CustomerProfile,
    FollowupList,
    FollowupOut,
    InteractionList,
    InteractionOut,
    Pipeline,
    StaleList,
)

GAP = 2  # spaces between table columns
MIN_CELL = 8  # a column is not shortened below this (or its header), it is dropped instead


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, ending in "…" when shortened."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def table(
    headers: list[str],
    rows: list[list[str]],
    *,
    width: int | None = None,
    shrink: tuple[int, ...] = (),
    drop: tuple[int, ...] = (),
    floors: dict[int, int] | None = None,
) -> str:
    """A left-aligned text table within `width` characters (no limit when None).

    Cells are cut at 60 characters. Over `width`, the columns in `shrink` are shortened (widest first)
    down to MIN_CELL (or their `floors`), then the columns in `drop` are left out in that order.
    """
    cells = [[cut(c, 60) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    keep = list(range(len(headers)))
    if width is not None:
        keep, widths = _fit(headers, widths, width, shrink, drop, floors or {})

    def line(r: list[str]) -> str:
        return (" " * GAP).join(cut(r[i], widths[i]).ljust(widths[i]) for i in keep).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def _fit(
    headers: list[str],
    natural: list[int],
    width: int,
    shrink: tuple[int, ...],
    drop: tuple[int, ...],
    floors: dict[int, int],
) -> tuple[list[int], list[int]]:
    keep = list(range(len(headers)))
    for dropping in (None, *drop):
        if dropping is not None and len(keep) > 1:
            keep.remove(dropping)
        widths = list(natural)  # each try shortens from the natural widths, so a drop frees room for the rest
        while sum(widths[i] for i in keep) + GAP * (len(keep) - 1) > width:
            # Shorten the widest shrinkable column by one; give up on this set when all are at their floor.
            room = [
                i for i in shrink if i in keep and widths[i] > max(floors.get(i, MIN_CELL), len(headers[i]))
            ]
            if not room:
                break
            widths[max(room, key=lambda i: widths[i])] -= 1
        else:
            return keep, widths
    return keep, widths


def lines_within(text: str, width: int | None) -> str:
    """Each line of `text` cut to `width` (for line-per-item views on a terminal)."""
    if width is None:
        return text
    return "\n".join(cut(line, width) for line in text.split("\n"))


def day(d: date | datetime | None, today: date | None = None) -> str:
    if d is None:
        return "—"
    return format_day(d.date() if isinstance(d, datetime) else d, today)


def money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def customers(result: CustomerList, today: date, *, width: int | None = None) -> str:
    if not result.items:
        return "No customers found."
    rows = [
        [f"#{c.id}", c.name, c.stage, c.owner or "", ", ".join(c.tags), day(c.last_contact, today)]
        for c in result.items
    ]
    # Over the width: shorten the name and tags, then drop tags, owner and last contact.
    out = table(
        ["id", "name", "stage", "owner", "tags", "last contact"],
        rows,
        width=width,
        shrink=(1, 4),
        drop=(4, 5, 3),
    )
    return out + ("\n(more: use --cursor " + result.next_cursor + ")" if result.next_cursor else "")


def followup_when(f: FollowupOut, today: date) -> str:
    return day(f.due, today) + (f" {f.due_time}" if f.due_time else "")


def followup_line(
    f: FollowupOut, today: date, *, with_owner: bool = True, me: str | None = None, with_id: bool = False
) -> str:
    """One follow-up in a sentence: "Fri 27 Feb, overdue: Acme Corp — send pricing (kim)".

    The owner is left out when it is `me` (the reader) or `with_owner` is False; the id only when asked.
    """
    flag = ", overdue" if f.overdue else ""
    who = f" ({f.owner})" if with_owner and f.owner and f.owner != me else ""
    what = f" — {f.description}" if f.description else ""
    ref = f" [#{f.id}]" if with_id else ""
    return f"{followup_when(f, today)}{flag}: {f.customer_name}{what}{who}{ref}"


def followups(result: FollowupList, today: date, *, width: int | None = None, me: str | None = None) -> str:
    """A terminal table when `width` is given, else one sentence per follow-up (chat)."""
    if not result.items:
        return "No open follow-ups."
    more = [f"… and {result.total - len(result.items)} more"] if result.has_more else []
    if width is None:
        return "\n".join([followup_line(f, today, me=me) for f in result.items] + more)
    rows = [
        [
            f"#{f.id}",
            followup_when(f, today),
            "overdue" if f.overdue else "",
            f.customer_name,
            f.description,
            f.owner or "",
        ]
        for f in result.items
    ]
    out = table(["id", "due", "", "customer", "what", "owner"], rows, width=width, shrink=(3, 4), drop=(5,))
    return "\n".join([out, *more])


def interaction_line(i: InteractionOut, today: date, *, width: int = 160, more: bool = True) -> str:
    """One note on a line, its body cut so the whole line fits in `width` characters.

    A shortened note says how to read it whole (`/show N`, in chat and Telegram) unless `more` is False.
    """
    head = f"{day(i.occurred_at, today)} {i.kind} — {i.customer_name}: "
    body = " ".join(i.body.split())
    room = max(width - len(head), 12)
    if len(body) <= room or not more:
        return head + cut(body, room)
    hint = f" (/show {i.id})"
    return head + cut(body, max(room - len(hint), 12)) + hint


def interactions(result: InteractionList, today: date, *, width: int | None = None, more: bool = True) -> str:
    if not result.items:
        return "No matching notes."
    return "\n".join(
        interaction_line(i, today, more=more, **({"width": width} if width else {})) for i in result.items
    )


def note(i: InteractionOut, today: date) -> str:
    """A whole note: when, what kind, with whom, who wrote it, and every word of it."""
    by = f" by {i.author}" if i.author else ""
    return f"{day(i.occurred_at, today)} {i.kind} — {i.customer_name}{by}:\n{i.body}"


def profile(p: CustomerProfile, today: date, *, width: int | None = None, more: bool = True) -> str:
    head = f"{p.name} (#{p.id}) — {p.stage}"
    facts = [
        f"owner {p.owner}" if p.owner else "",
        p.email or "",
        p.phone or "",
        f"value {money(p.value)}" if p.value is not None else "",
        ", ".join(p.tags),
    ]
    lines = [head, " · ".join(f for f in facts if f)]
    if p.contacts:
        lines.append("Contacts:")
        lines += [
            "  "
            + c.name
            + (f" ({c.role})" if c.role else "")
            + (f" {c.email}" if c.email else "")
            + (f" {c.phone}" if c.phone else "")
            for c in p.contacts
        ]
    lines.append(f"Last contact: {day(p.last_contact, today)}")
    if p.recent_interactions:
        lines.append("Recent:")
        note_width = (width or 162) - 2
        lines += [
            "  " + interaction_line(i, today, width=note_width, more=more) for i in p.recent_interactions
        ]
        if p.more_interactions:
            lines.append(f"  … {p.more_interactions} older")
    if p.open_followups:
        lines.append("Open follow-ups:")
        lines += ["  " + followup_line(f, today) for f in p.open_followups]
    if p.stage_history:
        lines.append(
            "Stage history: "
            + "; ".join(
                f"{h.from_stage or '—'} → {h.to_stage} {day(h.at, today)}" + (f" by {h.by}" if h.by else "")
                for h in p.stage_history
            )
        )
    return lines_within("\n".join(line for line in lines if line), width)


def pipeline(p: Pipeline) -> str:
    rows = [[t.stage, str(t.count), money(t.value)] for t in p.stages]
    rows.append(["open", str(p.open_count), money(p.open_value)])
    return table(["stage", "customers", "value"], rows)


def stale(result: StaleList, today: date, *, width: int | None = None) -> str:
    if not result.items:
        return f"Nobody in an open stage has gone quiet for {result.days} days."
    lines = [f"No contact for {result.days}+ days:"]
    for c in result.items:
        since = (
            f"last contact {day(c.last_contact, today)} ({c.days_since} days)"
            if c.last_contact
            else "never contacted"
        )
        lines.append(f"  {c.name} — {c.stage}, {since}")
    return lines_within("\n".join(lines), width)


def changes(result: ChangeList, *, width: int | None = None) -> str:
    if not result.items:
        return "No changes yet."
    rows = [
        [
            c.at.strftime("%Y-%m-%d %H:%M"),
            c.actor,
            c.source,
            c.op,
            f"{c.entity} #{c.entity_id}",
            c.summary + (" (undone)" if c.undone else ""),
        ]
        for c in result.items
    ]
    # The summary says the most; the channel and the operation go first when room runs out.
    return table(
        ["when", "who", "via", "op", "what", "summary"],
        rows,
        width=width,
        shrink=(5, 4),
        drop=(2, 3, 4),
        floors={5: 36},
    )
