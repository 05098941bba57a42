"""Placeholder until the Markdown engine lands (replaced wholesale)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_RUNBOOK_BYTES = 2 * 1024 * 1024


class RunbookTextError(ValueError):
    pass


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Section:
    key: str
    level: int
    title: str
    number: str
    start: int
    end: int
    own_text: str
    parent: str | None
    children: tuple[str, ...]


def sections(text: str) -> list[Section]:
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if line.startswith("#")]
    out = []
    for n, start in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        level = len(lines[start]) - len(lines[start].lstrip("#"))
        out.append(
            Section(
                f"s{n + 1}",
                level,
                lines[start].lstrip("# "),
                "",
                start,
                end,
                "\n".join(lines[start:end]),
                None,
                (),
            )
        )
    return out


def replace_section(text: str, key: str, new_own_text: str) -> str:
    for s in sections(text):
        if s.key == key:
            lines = text.split("\n")
            return "\n".join(lines[: s.start]) + "\n" + new_own_text + "\n".join(lines[s.end :])
    raise RunbookTextError("No such section.")
