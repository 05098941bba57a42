"""Placeholder until the section diff lands (replaced wholesale)."""

from __future__ import annotations

from compliance.markdown import sections


def sections_touched(old_text: str, new_text: str) -> list[str]:
    old = {s.title: s.own_text for s in sections(old_text)}
    return [s.title for s in sections(new_text) if old.get(s.title) != s.own_text]
