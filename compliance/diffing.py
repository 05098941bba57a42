"""Per-section, side-by-side diffs between two runbook texts.

Sections are matched first by (heading level, title) in order (difflib over the sequence of
headings), so a section that moved, or others added or removed around it, still pairs with
itself. Where a run of headings differs (a heading renamed, or its level changed), the old
and new sections of that run are paired in order when their bodies are mostly the same
(similarity of at least `RENAMED_BODY_SIMILARITY`): a renamed section is "changed", not
removed and added. What stays unpaired is "removed" or "added".

Within a pair, lines are compared with difflib: a replaced run pairs its lines one for one
as "changed", and the longer side's rest is "added" or "removed". Line numbers are 1-based
over the whole text. With `context=N`, unchanged lines further than N from a change are
left out (a gap in `old_no` marks where); `context=None` keeps every line, and then
unchanged sections carry their lines too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from compliance.markdown import Section, section_label, sections

RENAMED_BODY_SIMILARITY = 0.5
# Beyond this many old x new sections in one differing run, pair by position only.
_PAIRING_BUDGET = 2_500


@dataclass(frozen=True)
class Line:
    old_no: int | None
    new_no: int | None
    old: str
    new: str
    kind: str  # "same" | "added" | "removed" | "changed"


@dataclass(frozen=True)
class SectionDiff:
    key_old: str | None
    key_new: str | None
    title: str
    number: str
    status: str  # "same" | "added" | "removed" | "changed"
    lines: tuple[Line, ...]
    added: int
    removed: int
    changed: int
    label: str = ""  # how people name it: markdown.section_label ("2.1 Who to call")


def _identity(section: Section) -> tuple[int, str]:
    return section.level, " ".join(section.title.split()).casefold()


def _lines(section: Section) -> list[str]:
    return section.own_text.split("\n")[: section.end - section.start]


def _body(section: Section) -> list[str]:
    lines = _lines(section)
    return lines[1:] if section.level else lines


def _similarity(old: Section, new: Section) -> float:
    matcher = SequenceMatcher(None, _body(old), _body(new), autojunk=False)
    if matcher.real_quick_ratio() < RENAMED_BODY_SIMILARITY:
        return 0.0
    if matcher.quick_ratio() < RENAMED_BODY_SIMILARITY:
        return 0.0
    return matcher.ratio()


Pair = tuple[Section | None, Section | None]


def _pair_run(old: Sequence[Section], new: Sequence[Section]) -> list[Pair]:
    """Order-preserving pairing of a differing run that maximises body similarity."""
    n, m = len(old), len(new)
    if n * m > _PAIRING_BUDGET:
        score = {(i, i): _similarity(old[i], new[i]) for i in range(min(n, m))}
    else:
        score = {(i, j): _similarity(old[i], new[j]) for i in range(n) for j in range(m)}
    # best[i][j]: the best total over old[i:], new[j:]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            value = max(best[i + 1][j], best[i][j + 1])
            similarity = score.get((i, j), 0.0)
            if similarity >= RENAMED_BODY_SIMILARITY:
                value = max(value, similarity + best[i + 1][j + 1])
            best[i][j] = value
    pairs: list[Pair] = []
    i = j = 0
    while i < n and j < m:
        similarity = score.get((i, j), 0.0)
        if similarity >= RENAMED_BODY_SIMILARITY and best[i][j] == similarity + best[i + 1][j + 1]:
            pairs.append((old[i], new[j]))
            i += 1
            j += 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((old[i], None))
            i += 1
        else:
            pairs.append((None, new[j]))
            j += 1
    pairs.extend((section, None) for section in old[i:])
    pairs.extend((None, section) for section in new[j:])
    return pairs


def _pairs(old: list[Section], new: list[Section]) -> list[Pair]:
    """Old and new sections paired, in new-text order with removed ones at their old place."""
    matcher = SequenceMatcher(
        None, [_identity(s) for s in old], [_identity(s) for s in new], autojunk=False
    )
    pairs: list[Pair] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            pairs.extend(_pair_run(old[i1:i2], new[j1:j2]))
    return pairs


def _line_rows(old: Section | None, new: Section | None) -> list[Line]:
    old_lines = _lines(old) if old else []
    new_lines = _lines(new) if new else []
    old_base = old.start + 1 if old else 0
    new_base = new.start + 1 if new else 0
    rows: list[Line] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                Line(old_base + i, new_base + j, old_lines[i], new_lines[j], "same")
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        common = min(i2 - i1, j2 - j1)
        rows.extend(
            Line(
                old_base + i1 + k,
                new_base + j1 + k,
                old_lines[i1 + k],
                new_lines[j1 + k],
                "changed",
            )
            for k in range(common)
        )
        rows.extend(
            Line(old_base + i, None, old_lines[i], "", "removed") for i in range(i1 + common, i2)
        )
        rows.extend(
            Line(None, new_base + j, "", new_lines[j], "added") for j in range(j1 + common, j2)
        )
    return rows


def _trim(rows: list[Line], context: int) -> list[Line]:
    changed = [index for index, row in enumerate(rows) if row.kind != "same"]
    if not changed:
        return []
    keep = [False] * len(rows)
    for index in changed:
        for near in range(max(0, index - context), min(len(rows), index + context + 1)):
            keep[near] = True
    return [row for row, kept in zip(rows, keep, strict=True) if kept]


def _section_diff(old: Section | None, new: Section | None, context: int | None) -> SectionDiff:
    rows = _line_rows(old, new)
    counts = {"added": 0, "removed": 0, "changed": 0}
    for row in rows:
        if row.kind in counts:
            counts[row.kind] += 1
    if new is None:
        status = "removed"
    elif old is None:
        status = "added"
    elif any(counts.values()):
        status = "changed"
    else:
        status = "same"
    shown = rows if context is None else _trim(rows, max(0, context))
    named = new if new is not None else old
    assert named is not None
    return SectionDiff(
        key_old=old.key if old else None,
        key_new=new.key if new else None,
        title=named.title,
        number=named.number,
        status=status,
        lines=tuple(shown),
        added=counts["added"],
        removed=counts["removed"],
        changed=counts["changed"],
        label=section_label(named),
    )


def section_diff(old_text: str, new_text: str, *, context: int | None = 3) -> list[SectionDiff]:
    """Every section of either text with its status and side-by-side lines (module docstring)."""
    pairs = _pairs(sections(old_text), sections(new_text))
    return [_section_diff(old, new, context) for old, new in pairs]


def sections_touched(old_text: str, new_text: str) -> list[str]:
    """Names ("3.1.2 Custom Backup Procedures") of the sections added, removed or changed."""
    touched = []
    for old, new in _pairs(sections(old_text), sections(new_text)):
        if old is not None and new is not None and old.own_text == new.own_text:
            continue
        diff = _section_diff(old, new, 0)
        if diff.status != "same":
            named = new if new is not None else old
            assert named is not None
            touched.append(section_label(named))
    return touched
