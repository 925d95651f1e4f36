"""Realistic sample data for demos and first runs, dated relative to today."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from store.customer_rows import customer_count
from tools.context import ToolContext
from tools.transfer import ImportResult, import_text

# (name, stage, tags, value, contact, role, domain)
COMPANIES = [
    ("Acme Corp", "qualified", ["enterprise"], 48000, "Dana Whitfield", "CTO", "acme.example"),
    (
        "Globex Corporation",
        "proposal",
        ["enterprise", "manufacturing"],
        120000,
        "Hank Scorpio",
        "CEO",
        "globex.example",
    ),
    ("Initech", "negotiation", ["software"], 36000, "Bill Lumbergh", "VP Operations", "initech.example"),
    (
        "Umbrella Health GmbH",
        "lead",
        ["healthcare"],
        75000,
        "Alice Abernathy",
        "Head of IT",
        "umbrella.example",
    ),
    ("Café Müller", "won", ["smb", "hospitality"], 4800, "Jonas Müller", "Owner", "cafe-mueller.example"),
    ("Stark Logistics", "qualified", ["logistics"], 52000, "Pepper Potts", "COO", "stark-log.example"),
    ("Wayne Foods Inc", "proposal", ["retail"], 27000, "Lucius Fox", "Procurement", "waynefoods.example"),
    ("Hooli", "lost", ["software"], 90000, "Gavin Belson", "CEO", "hooli.example"),
    (
        "Pied Piper",
        "lead",
        ["startup", "software"],
        12000,
        "Richard Hendricks",
        "Founder",
        "piedpiper.example",
    ),
    (
        "Vandelay Industries",
        "qualified",
        ["import-export"],
        18000,
        "Art Vandelay",
        "Owner",
        "vandelay.example",
    ),
    ("Bluth Company", "negotiation", ["real-estate"], 64000, "Michael Bluth", "President", "bluth.example"),
    ("Dunder Mifflin", "won", ["paper", "smb"], 15000, "Jan Levinson", "VP Sales", "dundermifflin.example"),
    ("Soylent Nutrition", "lead", ["food"], 22000, "Rob Rhinehart", "Founder", "soylent.example"),
    (
        "Nakatomi Trading",
        "proposal",
        ["enterprise"],
        140000,
        "Joseph Takagi",
        "President",
        "nakatomi.example",
    ),
    ("Oceanic Airlines", "qualified", ["travel"], 210000, "Kate Austen", "Purchasing", "oceanic.example"),
    ("Prestige Worldwide", "lead", ["events"], 8000, "Brennan Huff", "Co-founder", "prestige.example"),
    (
        "Gringotts Bank",
        "negotiation",
        ["finance"],
        300000,
        "Griphook Gold",
        "Head of Vaults",
        "gringotts.example",
    ),
    ("Los Pollos Hermanos", "won", ["restaurants"], 26000, "Gus Fring", "Owner", "pollos.example"),
    ("Monsters Inc", "qualified", ["energy"], 58000, "Celia Mae", "Office manager", "monsters.example"),
    ("Kettle & Crumb Bakery", "lead", ["smb", "food"], 3500, "Ruth Baker", "Owner", "kettlecrumb.example"),
]
NOTES = {
    "meeting": [
        "Demo went well; they want pricing for {n} seats",
        "Workshop on the migration plan, IT joined",
        "Quarterly review: happy with support, asked about the roadmap",
        "On-site visit, met the ops team",
    ],
    "call": [
        "Intro call, budget approved for Q{q}",
        "Called about the renewal, legal is reviewing",
        "Checked in after the trial; a few questions on SSO",
        "Discussed the discount, needs sign-off from finance",
    ],
    "email": [
        "Sent the proposal and the security questionnaire",
        "They asked for a case study in their industry",
        "Shared the onboarding timeline",
    ],
    "note": [
        "Champion is leaving in the spring, find a new sponsor",
        "Competitor is cheaper but lacks the API",
        "Prefers calls before 10am",
    ],
}
FOLLOWUPS = [
    "send pricing",
    "book a demo with the team",
    "check on the contract",
    "share the case study",
    "quarterly check-in",
    "confirm seat count",
]


def demo_document(ctx: ToolContext, seed: int = 7) -> dict[str, Any]:
    """A crm-export document of sample customers, with a timeline around today."""
    rng = random.Random(seed)
    now = ctx.now()
    reps = [ctx.actor, "kim", "lee"]
    customers = []
    for n, (name, stage, tags, value, person, role, domain) in enumerate(COMPANIES):
        owner = reps[n % len(reps)]
        interactions = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(list(NOTES))
            when = now - timedelta(days=rng.randint(0, 70), hours=rng.randint(0, 8))
            body = rng.choice(NOTES[kind]).format(n=rng.choice([5, 12, 40]), q=rng.randint(1, 4))
            interactions.append(
                {"kind": kind, "body": body, "occurred_at": when.isoformat(), "author": owner}
            )
        followups = []
        if stage not in ("won", "lost") or rng.random() < 0.3:
            due = (now + timedelta(days=rng.randint(-6, 12))).date()
            followups.append({"due": due.isoformat(), "description": rng.choice(FOLLOWUPS), "owner": owner})
        first = person.split()[0].lower()
        customers.append(
            {
                "name": name,
                "stage": stage,
                "owner": owner,
                "tags": tags,
                "value": value,
                "email": f"hello@{domain}",
                "contacts": [{"name": person, "role": role, "email": f"{first}@{domain}"}],
                "interactions": interactions,
                "followups": followups,
            }
        )
    return {"format": "crm-export", "version": 1, "customers": customers}


def load_demo(ctx: ToolContext, *, force: bool = False) -> ImportResult | int:
    """Fill the database with the sample customers; returns the existing count instead when not empty."""
    with ctx.read() as s:
        count = customer_count(s)
    if count and not force:
        return count
    return import_text(ctx, json.dumps(demo_document(ctx)), kind="json", label="demo data")
