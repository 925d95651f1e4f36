"""MCP prompts, one per template file in the `prompts` package (shipped in the wheel).

A template is Markdown with a small header:

    ---
    title: Meeting brief
    description: What the prompt is for (shown by clients).
    argument customer (required): What to pass.
    argument owner (optional): What to pass.
    default owner: text used when an optional argument is left out
    ---
    Body, where {customer} and {owner} are replaced by the arguments.

Only declared argument names are substituted, so other braces in the text stay as they are.
`system.md` has no header: it is the server's instructions, not a prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument

_ARGUMENT = re.compile(r"argument\s+(\w+)\s*\((required|optional)\)\s*:\s*(.+)")
_DEFAULT = re.compile(r"default\s+(\w+)\s*:\s*(.*)")


@dataclass
class PromptTemplate:
    """One parsed template file."""

    name: str
    title: str
    description: str
    body: str
    arguments: list[PromptArgument] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)

    def render(self, values: dict[str, Any]) -> str:
        """The body with each declared argument replaced (its default, or '' when not given)."""
        missing = [a.name for a in self.arguments if a.required and not str(values.get(a.name) or "").strip()]
        if missing:
            raise ValueError(f"Prompt {self.name} needs: {', '.join(missing)}.")
        known = {a.name for a in self.arguments}

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            given = str(values.get(name) or "").strip()
            return given or self.defaults.get(name, "")

        return re.sub(r"\{(\w+)\}", lambda m: value(m) if m.group(1) in known else m.group(0), self.body)


def parse_template(name: str, text: str) -> PromptTemplate:
    """A template from a file's text; `name` is the file name without `.md`."""
    if not text.startswith("---\n"):
        raise ValueError(f"prompts/{name}.md has no '---' header")
    header, _, body = text[4:].partition("\n---\n")
    template = PromptTemplate(
        name=name, title=name.replace("_", " ").capitalize(), description="", body=body.strip() + "\n"
    )
    for line in header.splitlines():
        if m := _ARGUMENT.fullmatch(line.strip()):
            template.arguments.append(
                PromptArgument(
                    name=m.group(1), required=m.group(2) == "required", description=m.group(3).strip()
                )
            )
        elif m := _DEFAULT.fullmatch(line.strip()):
            template.defaults[m.group(1)] = m.group(2).strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            if key.strip() in ("title", "description"):
                setattr(template, key.strip(), value.strip())
    return template


def load_templates() -> list[PromptTemplate]:
    """Every prompt template shipped in the `prompts` package, by file name."""
    found = []
    for entry in sorted(files("prompts").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md") and entry.name != "system.md":
            found.append(parse_template(entry.name[:-3], entry.read_text(encoding="utf-8")))
    return found


# Prompts that steer the model into writes: not offered by a read-only server.
WRITING_PROMPTS = frozenset({"log_meeting_notes"})


def served_templates(*, read_only: bool) -> list[PromptTemplate]:
    return [t for t in load_templates() if not (read_only and t.name in WRITING_PROMPTS)]


def check_prompt_call(server: Any, name: str, arguments: dict[str, Any]) -> str | None:
    """What is wrong with a prompts/get call (unknown prompt, missing argument), or None."""
    templates = {t.name: t for t in served_templates(read_only=getattr(server, "read_only", False))}
    template = templates.get(name)
    if template is None:
        return f"Unknown prompt {name!r}. Prompts: {', '.join(sorted(templates))}."
    missing = [
        a.name for a in template.arguments if a.required and not str(arguments.get(a.name) or "").strip()
    ]
    if missing:
        return f"Prompt {name} needs the argument{'s' if len(missing) > 1 else ''}: {', '.join(missing)}."
    return None


def add_prompts(server: MCPServer[Any], *, read_only: bool = False) -> None:
    """Register every template as an MCP prompt with its arguments."""
    for template in served_templates(read_only=read_only):

        def render(_template: PromptTemplate = template, **values: Any) -> str:
            return _template.render(values)

        server.add_prompt(
            Prompt(
                name=template.name,
                title=template.title,
                description=template.description,
                arguments=template.arguments,
                fn=render,
            )
        )
