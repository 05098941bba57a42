"""Per-section side-by-side diffs and the sections a change touched. No database."""

from pathlib import Path

from compliance.diffing import Line, section_diff, sections_touched
from compliance.markdown import sections

RUNBOOK = (Path(__file__).parent / "runbooks" / "dr_runbook.md").read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def by_status(diffs, status):
    return [d for d in diffs if d.status == status]


def test_unchanged_texts_give_every_section_same_with_no_lines():
    diffs = section_diff(RUNBOOK, RUNBOOK)
    assert len(diffs) == len(sections(RUNBOOK))
    assert {d.status for d in diffs} == {"same"}
    assert all(d.lines == () and d.added == d.removed == d.changed == 0 for d in diffs)
    assert sections_touched(RUNBOOK, RUNBOOK) == []


def test_line_endings_alone_change_nothing():
    crlf = RUNBOOK.replace("\n", "\r\n")
    assert sections_touched(RUNBOOK, crlf) == []
    assert {d.status for d in section_diff(RUNBOOK, crlf)} == {"same"}


def test_one_edited_line_changes_only_its_section():
    new = edit(
        RUNBOOK, "| **Contacts** | Monthly | SRE Lead |", "| **Contacts** | Weekly | SRE Lead |"
    )
    diffs = section_diff(RUNBOOK, new)
    (changed,) = by_status(diffs, "changed")
    assert (changed.key_old, changed.key_new) == ("s22", "s22")
    assert (changed.title, changed.number) == ("5.1 Review Schedule", "5.1")
    assert (changed.added, changed.removed, changed.changed) == (0, 0, 1)
    line_no = RUNBOOK.split("\n").index("| **Contacts** | Monthly | SRE Lead |") + 1
    row = Line(
        line_no,
        line_no,
        "| **Contacts** | Monthly | SRE Lead |",
        "| **Contacts** | Weekly | SRE Lead |",
        "changed",
    )
    assert row in changed.lines
    assert sections_touched(RUNBOOK, new) == ["5.1 Review Schedule"]


def test_context_keeps_that_many_unchanged_lines_around_a_change():
    new = edit(RUNBOOK, "| **Procedures** | Quarterly |", "| **Procedures** | Monthly |")
    (changed,) = by_status(section_diff(RUNBOOK, new, context=1), "changed")
    assert [row.kind for row in changed.lines] == ["same", "changed", "same"]
    assert changed.lines[0].old == "| **Contacts** | Monthly | SRE Lead |"
    (bare,) = by_status(section_diff(RUNBOOK, new, context=0), "changed")
    assert [row.kind for row in bare.lines] == ["changed"]
    (full,) = by_status(section_diff(RUNBOOK, new, context=None), "changed")
    assert len(full.lines) == 7
    assert full.lines[0] == Line(
        full.lines[0].old_no,
        full.lines[0].new_no,
        "### 5.1 Review Schedule",
        "### 5.1 Review Schedule",
        "same",
    )


def test_without_context_unchanged_sections_carry_their_lines_too():
    diffs = section_diff(RUNBOOK, RUNBOOK, context=None)
    assert all(d.status == "same" for d in diffs)
    assert sum(len(d.lines) for d in diffs) == len(RUNBOOK.split("\n"))
    assert all(row.old_no == row.new_no for d in diffs for row in d.lines)


def test_an_added_section_is_added_and_touched():
    new = edit(
        RUNBOOK,
        "## 2. Backups ##\n",
        "### 1.5 Vendors\n| Vendor | Line |\n|---|---|\n| Bank | 0800 |\n\n## 2. Backups ##\n",
    )
    diffs = section_diff(RUNBOOK, new)
    (added,) = by_status(diffs, "added")
    assert (added.key_old, added.key_new, added.title, added.number) == (
        None,
        "s7",
        "1.5 Vendors",
        "1.5",
    )
    assert added.added == 5
    assert all(row.kind == "added" and row.old_no is None for row in added.lines)
    assert [row.new for row in added.lines] == [
        "### 1.5 Vendors",
        "| Vendor | Line |",
        "|---|---|",
        "| Bank | 0800 |",
        "",
    ]
    assert added.lines[0].new_no == RUNBOOK.split("\n").index("## 2. Backups ##") + 1
    assert sections_touched(RUNBOOK, new) == ["1.5 Vendors"]


def test_an_added_section_at_the_end_after_a_last_line_without_a_line_break():
    new = RUNBOOK + "\n\n## 6. Appendix\nGlossary.\n"
    assert sections_touched(RUNBOOK, new) == ["5.2 Approval Matrix", "6. Appendix"]
    diffs = section_diff(RUNBOOK, new, context=0)
    matrix = next(d for d in diffs if d.title == "5.2 Approval Matrix")
    assert matrix.status == "changed"
    assert [row.kind for row in matrix.lines] == ["added"]


def test_a_removed_section_is_removed_at_its_old_place():
    section = next(s for s in sections(RUNBOOK) if s.title == "4.2.2 Empty Procedure")
    new = RUNBOOK.replace(section.own_text, "")
    diffs = section_diff(RUNBOOK, new)
    (removed,) = by_status(diffs, "removed")
    assert (removed.key_old, removed.key_new, removed.title) == (
        "s20",
        None,
        "4.2.2 Empty Procedure",
    )
    assert removed.removed == 2
    assert all(row.kind == "removed" and row.new_no is None for row in removed.lines)
    titles = [d.title for d in diffs]
    assert titles.index("4.2.2 Empty Procedure") == titles.index("4.2.1 Card Processor") + 1
    assert sections_touched(RUNBOOK, new) == ["4.2.2 Empty Procedure"]


def test_touched_sections_come_in_new_text_order_with_removed_ones_at_their_old_place():
    purpose = next(s for s in sections(RUNBOOK) if s.title == "1.1 Purpose")
    new = RUNBOOK.replace(purpose.own_text, "")
    new = edit(new, "Page the incident commander.", "Page the incident commander and the deputy.")
    new = edit(
        new, "Restore Drills\n--------------\n", "Restore Drills\n--------------\n\nIntro line.\n"
    )
    assert sections_touched(RUNBOOK, new) == [
        "1.1 Purpose",
        "3 Restore Drills",
        "4.1.1 Declare the Incident",
    ]


def test_a_renamed_heading_with_the_same_body_is_changed_not_removed_and_added():
    new = edit(RUNBOOK, "#### 2.1.2 Verification Script", "#### 2.1.2 Restore Verification Script")
    diffs = section_diff(RUNBOOK, new, context=0)
    assert by_status(diffs, "added") == []
    assert by_status(diffs, "removed") == []
    (renamed,) = by_status(diffs, "changed")
    assert (renamed.key_old, renamed.key_new) == ("s10", "s10")
    assert renamed.title == "2.1.2 Restore Verification Script"
    assert [(row.old, row.new, row.kind) for row in renamed.lines] == [
        ("#### 2.1.2 Verification Script", "#### 2.1.2 Restore Verification Script", "changed")
    ]
    assert sections_touched(RUNBOOK, new) == ["2.1.2 Restore Verification Script"]


def test_a_renamed_empty_section_is_changed():
    new = edit(RUNBOOK, "### 1.3 Empty Placeholder", "### 1.3 Escalation Placeholder")
    diffs = section_diff(RUNBOOK, new)
    assert [(d.status, d.title) for d in diffs if d.status != "same"] == [
        ("changed", "1.3 Escalation Placeholder")
    ]


def test_a_heading_replaced_together_with_its_body_is_removed_and_added():
    old = "# T\n## A\none\ntwo\nthree\n## B\nkeep\n"
    new = "# T\n## Z\nfour\nfive\nsix\n## B\nkeep\n"
    diffs = section_diff(old, new)
    assert [(d.status, d.title) for d in diffs] == [
        ("same", "T"),
        ("removed", "A"),
        ("added", "Z"),
        ("same", "B"),
    ]
    assert sections_touched(old, new) == ["1 A", "1 Z"]


def test_a_section_inserted_before_a_renamed_one_pairs_the_renamed_one():
    old = "# T\n## A\nalpha\nbeta\ngamma\n## C\nend\n"
    new = "# T\n## New\nfresh text\n## A renamed\nalpha\nbeta\ngamma\n## C\nend\n"
    diffs = section_diff(old, new)
    assert [(d.status, d.key_old, d.key_new) for d in diffs] == [
        ("same", "s1", "s1"),
        ("added", None, "s2"),
        ("changed", "s2", "s3"),
        ("same", "s3", "s4"),
    ]


def test_lines_with_pipes_diff_as_whole_lines():
    new = edit(
        RUNBOOK,
        "| 2 | Notify `#payments` with the `a\\|b` routing code | 2 min |",
        "| 2 | Notify `#payments` and `#treasury` with the `a\\|b\\|c` code | 3 min |",
    )
    new = edit(
        new,
        'pg_dump --format=custom "$LEDGER_URL" | tee "$DUMP" | sha256sum > "$DUMP.sha256"',
        'pg_dump --format=custom "$LEDGER_URL" | tee "$DUMP" | sha512sum > "$DUMP.sha512"',
    )
    diffs = section_diff(RUNBOOK, new, context=0)
    changed = by_status(diffs, "changed")
    assert [d.title for d in changed] == ["2.1.1 Nightly Dump", "4.2.1 Card Processor"]
    assert [(row.old, row.new) for row in changed[1].lines] == [
        (
            "| 2 | Notify `#payments` with the `a\\|b` routing code | 2 min |",
            "| 2 | Notify `#payments` and `#treasury` with the `a\\|b\\|c` code | 3 min |",
        )
    ]
    assert changed[0].lines[0].new.endswith('| sha512sum > "$DUMP.sha512"')


def test_a_replaced_run_pairs_lines_as_changed_and_pads_the_rest():
    old = "# T\none\ntwo\nthree\n"
    new = "# T\nONE\nTWO\nthree\nfour\n"
    (diff,) = section_diff(old, new, context=None)
    assert [(row.old_no, row.new_no, row.kind) for row in diff.lines] == [
        (1, 1, "same"),
        (2, 2, "changed"),
        (3, 3, "changed"),
        (4, 4, "same"),
        (None, 5, "added"),
    ]
    assert (diff.added, diff.removed, diff.changed) == (1, 0, 2)
    shrunk = "# T\nthree\n"
    (diff,) = section_diff(old, shrunk, context=None)
    assert [(row.old_no, row.new_no, row.kind) for row in diff.lines] == [
        (1, 1, "same"),
        (2, None, "removed"),
        (3, None, "removed"),
        (4, 2, "same"),
    ]


def test_a_changed_line_inside_a_code_block_changes_its_section():
    new = edit(RUNBOOK, "# Keep fourteen days", "# Keep thirty days")
    assert sections_touched(RUNBOOK, new) == ["2.1.1 Nightly Dump"]


def test_a_new_preamble_is_touched_as_the_preamble():
    assert sections_touched(RUNBOOK, "Draft - do not circulate.\n\n" + RUNBOOK) == ["Preamble"]


def test_diffing_against_an_empty_text_removes_everything():
    diffs = section_diff(RUNBOOK, "")
    assert {d.status for d in diffs} == {"removed"}
    assert len(diffs) == len(sections(RUNBOOK))


def test_a_section_diff_is_named_once_even_when_its_title_carries_its_number():
    old = "# T\n\n## 2. Restore\n\nold\n"
    new = "# T\n\n## 2. Restore\n\nnew\n"
    changed = [d for d in section_diff(old, new) if d.status == "changed"]
    assert [d.label for d in changed] == ["2. Restore"]
