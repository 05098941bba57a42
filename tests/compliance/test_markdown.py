"""The runbook Markdown engine: decoding uploads, sections, editing one section, rendering.

Plain functions over strings: no database. The fixture runbooks in runbooks/ are the
suite's own text, written to hold every construct a real runbook uses.
"""

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from compliance.markdown import (
    CACHE_MAX_CHARS,
    MAX_RUNBOOK_BYTES,
    RunbookTextError,
    Section,
    decode_upload,
    normalise,
    outline,
    render_html,
    render_section_html,
    replace_section,
    section_label,
    sections,
)

RUNBOOKS = Path(__file__).parent / "runbooks"
DR_RUNBOOK = (RUNBOOKS / "dr_runbook.md").read_bytes()
EDGE_CASES = (RUNBOOKS / "edge_cases.md").read_bytes()

DR_TITLES = [
    "Ledgerline Disaster Recovery Runbook",
    "1. Overview",
    "1.1 Purpose",
    "1.2 Recovery Targets",
    "1.3 Empty Placeholder",
    "1.4 Contacts To Confirm",
    "2. Backups",
    "2.1 Database Backups",
    "2.1.1 Nightly Dump",
    "2.1.2 Verification Script",
    "2.2 Configuration Backups",
    "Restore Drills",
    "3.1 Quarterly Drill Steps",
    "4. Failover Procedures",
    "4.1 Region Loss",
    "4.1.1 Declare the Incident",
    "4.1.2 Promote the Replica",
    "4.2 Provider Outage",
    "4.2.1 Card Processor",
    "4.2.2 Empty Procedure",
    "5. Document Control",
    "5.1 Review Schedule",
    "5.2 Approval Matrix",
]

# Every line of the fixture that looks like an ATX heading but is code or HTML.
NOT_HEADINGS = [
    "# Nightly logical dump of the ledger database",
    "# Location: /srv/ops/nightly_dump.sh",
    "## not a heading: a doubled comment",
    "# Keep fourteen days",
    "# Verify that last night's dump restores",
    "# Location: /srv/ops/verify_dump.py",
    '    # Lines look like "ledger_entries | 1204"',
    "# Heading-looking comment at column zero",
    "# backup-schedule.yaml",
    "# Every job names its target | and its retention",
    "    # restore the legacy cron table",
    "    # done | nothing else to do",
    "# not a heading: still inside the HTML block",
    "# not a heading: inside an HTML block with no blank line",
    "   # STATUS | Ledger degraded | next update in 30 min",
    "# Promote the standby in the secondary region",
]


def dr_text() -> str:
    return decode_upload(DR_RUNBOOK)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def by_title(found: list[Section], title: str) -> Section:
    (section,) = [s for s in found if s.title == title]
    return section


def code_blocks(text: str) -> list[tuple[str, str, str]]:
    """(kind, info, source lines) of every fenced and indented code block, found by tokens."""
    lines = text.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return [
        (token.type, token.info, "\n".join(lines[token.map[0] : token.map[1]]))
        for token in tokens
        if token.type in ("fence", "code_block") and token.map
    ]


# --- the fixtures are what the tests claim they are ------------------------------------


def test_the_fixture_runbook_ends_without_a_final_line_break():
    assert not DR_RUNBOOK.endswith(b"\n")
    assert b"\r" not in DR_RUNBOOK


def test_the_fixture_runbook_holds_bash_python_yaml_and_indented_code_with_hashes_and_pipes():
    blocks = code_blocks(dr_text())
    infos = {info for _, info, _ in blocks}
    assert {"bash", "python", "yaml", "text"} <= infos
    assert any(kind == "code_block" for kind, _, _ in blocks)
    for _, _, source in blocks:
        assert "#" in source
    assert sum("|" in source for _, _, source in blocks) >= 4


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [DR_RUNBOOK, EDGE_CASES], ids=["dr_runbook", "edge_cases"])
def test_concatenating_every_sections_own_text_gives_back_the_text(raw):
    text = decode_upload(raw)
    assert "".join(section.own_text for section in sections(text)) == text


@pytest.mark.parametrize("raw", [DR_RUNBOOK, EDGE_CASES], ids=["dr_runbook", "edge_cases"])
def test_an_upload_decodes_to_its_text_with_line_endings_normalised(raw):
    original = raw.decode("utf-8")
    assert decode_upload(raw) == normalise(original) == original
    assert decode_upload(crlf(original).encode()) == original
    assert decode_upload(original.replace("\n", "\r").encode()) == original


@pytest.mark.parametrize(
    "text",
    [
        "\n\n# Title\nbody\n",
        "no heading at all\nsecond line",
        "# Only a heading",
        "# One\n# Two\n# Three\n",
        "   \n# Title after a line of spaces\n\n",
    ],
)
def test_every_text_is_the_concatenation_of_its_sections(text):
    assert "".join(section.own_text for section in sections(text)) == text


def test_normalise_changes_line_endings_and_nothing_else():
    text = "a  \r\n\tb\rc\r\n\r\nd  \t\n"
    assert normalise(text) == "a  \n\tb\nc\n\nd  \t\n"
    assert normalise("no final newline") == "no final newline"


# --- titles, numbers, tree ---------------------------------------------------------------


def test_section_titles_come_out_in_document_order():
    assert [section.title for section in sections(dr_text())] == DR_TITLES


def test_keys_count_the_headings_in_document_order():
    found = sections(dr_text())
    assert [section.key for section in found] == [f"s{n}" for n in range(1, len(found) + 1)]


def test_every_code_block_is_byte_for_byte_equal_to_the_input():
    text = dr_text()
    expected = code_blocks(text)
    from_sections = [block for s in sections(text) for block in code_blocks(s.own_text)]
    assert from_sections == expected
    assert len(expected) == 6


def test_the_edge_case_code_blocks_survive_in_their_sections():
    text = decode_upload(EDGE_CASES)
    expected = code_blocks(text)
    assert [block for s in sections(text) for block in code_blocks(s.own_text)] == expected
    assert [info for _, info, _ in expected] == ["", "bash", "markdown", ""]


def test_hash_lines_in_code_and_html_blocks_are_not_headings():
    text = dr_text()
    heading_lines = {s.own_text.split("\n")[0] for s in sections(text)}
    hash_lines = [line for line in text.split("\n") if re.match(r"\s*#{1,6}( |$)", line)]
    assert [line for line in hash_lines if line not in heading_lines] == NOT_HEADINGS
    edge_titles = [s.title for s in sections(decode_upload(EDGE_CASES))]
    assert "Example heading shown as code" not in edge_titles
    assert "still code" not in edge_titles


def test_a_hash_without_a_space_or_escaped_is_not_a_heading():
    found = sections(decode_upload(EDGE_CASES))
    assert not any("not-a-heading" in s.title or "escaped" in s.title for s in found)


def test_setext_headings_are_sections_with_their_text_as_title():
    found = sections(dr_text())
    title = found[0]
    assert (title.key, title.level, title.start) == ("s1", 1, 0)
    assert title.own_text.startswith(
        "Ledgerline Disaster Recovery Runbook\n====================================\n"
    )
    drills = by_title(found, "Restore Drills")
    assert drills.level == 2
    assert drills.own_text.startswith("Restore Drills\n--------------\n")
    two_lines = by_title(sections(decode_upload(EDGE_CASES)), "Setext Title Over Two Lines")
    assert two_lines.level == 1
    assert two_lines.own_text.startswith("Setext Title Over\nTwo Lines\n=================\n")


def test_a_thematic_break_after_a_blank_line_is_not_a_setext_underline():
    found = sections(dr_text())
    drill_steps = by_title(found, "3.1 Quarterly Drill Steps")
    assert "Not a setext underline" in drill_steps.own_text
    assert "\n---\n\nThe line above is a thematic break." in drill_steps.own_text
    assert not any("Not a setext" in s.title for s in found)
    html = render_html(dr_text())
    assert (
        "<p>Not a setext underline, this paragraph is followed by a blank line.</p>\n<hr>" in html
    )


def test_the_document_control_block_belongs_to_the_title_section():
    title = sections(dr_text())[0]
    assert "**Document ID**: DR-RB-007  \n" in title.own_text
    assert "**Classification**: Internal | Restricted\n\n---\n" in title.own_text


def test_headings_inside_blockquotes_and_list_items_do_not_cut_sections():
    found = sections(dr_text())
    promote = by_title(found, "4.1.2 Promote the Replica")
    assert "> ### A quoted heading is part of the body\n" in promote.own_text
    assert "- ## A heading in a list item is part of the body too\n" in promote.own_text
    html = render_html(dr_text())
    assert "<h3>A quoted heading is part of the body</h3>" in html
    assert "<h2>A heading in a list item is part of the body too</h2>" in html


def test_trailing_hashes_are_not_part_of_the_title():
    found = sections(dr_text())
    assert by_title(found, "2. Backups").own_text.startswith("## 2. Backups ##\n")
    assert by_title(found, "4.2 Provider Outage").own_text.startswith(
        "### 4.2 Provider Outage ###\n"
    )
    edge = sections(decode_upload(EDGE_CASES))
    assert "Heading With code and emphasis" in [s.title for s in edge]


def test_empty_sections_survive_with_only_their_heading():
    found = sections(dr_text())
    assert by_title(found, "1.3 Empty Placeholder").own_text == "### 1.3 Empty Placeholder\n\n"
    assert by_title(found, "1.4 Contacts To Confirm").own_text == "### 1.4 Contacts To Confirm\n\n"
    assert by_title(found, "4.2.2 Empty Procedure").own_text == "#### 4.2.2 Empty Procedure\n\n"
    assert by_title(found, "2. Backups").own_text == "## 2. Backups ##\n\n"
    back_to_back = sections("# A\n## B\n## C\n")
    assert [s.own_text for s in back_to_back] == ["# A\n", "## B\n", "## C\n"]


def test_an_empty_atx_heading_is_a_section_without_a_title():
    empty = [s for s in sections(decode_upload(EDGE_CASES)) if s.title == ""]
    assert [(s.key, s.level, s.own_text) for s in empty if s.level] == [("s3", 1, "#\n\n")]


def test_the_final_line_without_a_line_break_stays_in_the_last_section():
    last = sections(dr_text())[-1]
    assert last.own_text.endswith("due in September 2025.*")
    assert last.end == len(dr_text().split("\n"))


def test_crlf_input_gives_the_same_sections_as_lf():
    text = dr_text()
    assert sections(crlf(text)) == sections(text)
    assert sections(text.replace("\n", "\r")) == sections(text)
    assert render_html(crlf(text)) == render_html(text)


def test_line_ranges_point_at_each_sections_lines():
    text = dr_text()
    lines = text.splitlines(keepends=True)
    for section in sections(text):
        assert "".join(lines[section.start : section.end]) == section.own_text
    assert sections(text)[1].start == lines.index("## 1. Overview\n")


def test_the_outline_numbers_follow_the_tree_under_a_title_heading():
    found = sections(dr_text())
    numbered = {s.title: s.number for s in found}
    assert numbered["Ledgerline Disaster Recovery Runbook"] == ""
    assert numbered["Restore Drills"] == "3"
    assert numbered["2.1.2 Verification Script"] == "2.1.2"
    for section in found[1:]:
        if section.title[0].isdigit():
            assert section.title.split()[0].rstrip(".") == section.number


def test_parents_and_children_follow_heading_levels():
    found = {s.key: s for s in sections(dr_text())}
    backups = found["s7"]
    assert backups.title == "2. Backups"
    assert backups.parent == "s1"
    assert backups.children == ("s8", "s11")
    assert found["s9"].parent == "s8"
    assert found["s1"].parent is None
    assert found["s1"].children == ("s2", "s7", "s12", "s14", "s21")


def test_without_a_single_title_heading_the_top_level_is_numbered():
    found = sections(decode_upload(EDGE_CASES))
    assert [(s.key, s.number) for s in found] == [
        ("s0", ""),
        ("s1", "1"),
        ("s2", "1.1"),
        ("s3", "2"),
        ("s4", "2.1"),
        ("s5", "3"),
    ]
    skipped = sections("# T\n#### deep\n## B\n")
    assert [(s.title, s.number, s.parent) for s in skipped] == [
        ("T", "", None),
        ("deep", "1", "s1"),
        ("B", "2", "s1"),
    ]


def test_a_label_keeps_the_authors_number_or_puts_the_computed_one_in_front():
    found = sections(dr_text())
    assert section_label(by_title(found, "2.1.2 Verification Script")) == (
        "2.1.2 Verification Script"
    )
    assert section_label(by_title(found, "Restore Drills")) == "3 Restore Drills"
    assert section_label(found[0]) == "Ledgerline Disaster Recovery Runbook"
    assert section_label(sections(decode_upload(EDGE_CASES))[0]) == "Preamble"


def test_the_preamble_is_s0_only_when_it_holds_text():
    edge = sections(decode_upload(EDGE_CASES))
    assert (edge[0].key, edge[0].level, edge[0].title, edge[0].start, edge[0].end) == (
        "s0",
        0,
        "",
        0,
        3,
    )
    assert edge[0].own_text.startswith("Text before the first heading")
    blank_lead = sections("\n  \n# Title\nbody\n")
    assert [s.key for s in blank_lead] == ["s1"]
    assert blank_lead[0].start == 0
    assert blank_lead[0].own_text == "\n  \n# Title\nbody\n"
    assert sections("no heading\n") == [Section("s0", 0, "", "", 0, 1, "no heading\n", None, ())]
    assert sections("") == []
    assert sections(" \n\t\n") == []


def test_the_outline_is_the_headings_without_the_preamble():
    edge = decode_upload(EDGE_CASES)
    assert outline(edge) == sections(edge)[1:]
    assert [s.title for s in outline(dr_text())] == DR_TITLES


# --- editing one section ------------------------------------------------------------------


def test_replacing_a_section_changes_only_that_section():
    text = dr_text()
    before = sections(text)
    target = by_title(before, "1.1 Purpose")
    edited = replace_section(
        text, target.key, "### 1.1 Purpose\nA shorter purpose, now with a | pipe.\n\n"
    )
    after = sections(edited)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        if old.key == target.key:
            assert new.own_text == "### 1.1 Purpose\nA shorter purpose, now with a | pipe.\n\n"
        else:
            assert new.own_text == old.own_text
            assert new.title == old.title
    assert edited.endswith("due in September 2025.*")


def test_replacing_a_section_may_rename_its_heading():
    text = dr_text()
    target = by_title(sections(text), "1.3 Empty Placeholder")
    edited = replace_section(text, target.key, "### 1.3 Paging Order\nOn-call, then lead.\n")
    titles = [s.title for s in sections(edited)]
    assert titles == [
        "1.3 Paging Order" if title == "1.3 Empty Placeholder" else title for title in DR_TITLES
    ]


def test_a_replacement_without_a_final_line_break_gets_one_before_the_next_heading():
    text = "# T\n## A\nold\n## B\nbody\n"
    assert replace_section(text, "s2", "## A\nnew") == "# T\n## A\nnew\n## B\nbody\n"
    assert replace_section(text, "s3", "## B\nlast") == "# T\n## A\nold\n## B\nlast"


def test_a_replacement_above_a_setext_heading_keeps_that_heading_apart():
    text = "# T\n\nintro\n\nNext\n----\nbody\n"
    edited = replace_section(text, "s1", "# T\n\nnew intro")
    assert edited == "# T\n\nnew intro\n\nNext\n----\nbody\n"
    assert [s.title for s in sections(edited)] == ["T", "Next"]


def test_a_replacement_may_add_a_heading_of_its_own():
    text = "# T\n## A\nold\n## B\nbody\n"
    edited = replace_section(text, "s2", "## A\nnew\n## A2\nmore\n")
    assert [s.title for s in sections(edited)] == ["T", "A", "A2", "B"]


def test_an_empty_replacement_deletes_the_section():
    text = "# T\n## A\nold\n## B\nbody\n"
    assert replace_section(text, "s2", "") == "# T\n## B\nbody\n"


def test_a_replacement_is_normalised():
    text = "# T\n## A\nold\n"
    assert replace_section(text, "s2", "## A\r\nnew\r\n") == "# T\n## A\nnew\n"


def test_replacing_an_unknown_section_is_refused_with_a_sentence():
    with pytest.raises(RunbookTextError, match=r"no section 's99'"):
        replace_section(dr_text(), "s99", "## X\n")


def test_a_replacement_that_would_swallow_the_sections_after_it_is_refused():
    text = dr_text()
    target = by_title(sections(text), "1.1 Purpose")
    with pytest.raises(RunbookTextError, match="unclosed code fence"):
        replace_section(text, target.key, "### 1.1 Purpose\n```bash\necho unclosed\n")


def test_the_preamble_can_be_replaced():
    edge = decode_upload(EDGE_CASES)
    edited = replace_section(edge, "s0", "New preamble.\n\n")
    assert edited.startswith("New preamble.\n\n# Edge Case Runbook\n")
    assert [s.own_text for s in sections(edited)[1:]] == [s.own_text for s in sections(edge)[1:]]


# --- decoding uploads ---------------------------------------------------------------------


def test_an_empty_file_is_refused():
    with pytest.raises(RunbookTextError, match=r"^The file is empty\.$"):
        decode_upload(b"")


def test_a_file_of_only_whitespace_is_refused_as_empty():
    with pytest.raises(RunbookTextError, match=r"^The file is empty"):
        decode_upload(b" \r\n\t\n  ")


def test_a_file_of_only_a_byte_order_mark_is_refused_as_empty():
    with pytest.raises(RunbookTextError, match=r"^The file is empty\.$"):
        decode_upload(b"\xef\xbb\xbf")


def test_invalid_utf8_is_refused_naming_the_offset_and_line_of_the_first_bad_byte():
    data = "# Titel\nÜbersicht\n".encode() + b"caf\xe9 latin-1\n"
    with pytest.raises(RunbookTextError) as refused:
        decode_upload(data)
    message = str(refused.value)
    assert message.startswith("The file is not valid UTF-8 text")
    assert "(0xe9)" in message
    assert f"byte offset {data.index(0xE9)}" in message
    assert "line 3" in message


def test_a_truncated_multibyte_character_at_the_end_is_refused():
    with pytest.raises(RunbookTextError, match="byte offset 4, line 1"):
        decode_upload(b"# Ab\xe2\x82")


def test_a_file_with_a_nul_byte_is_not_a_text_file():
    with pytest.raises(RunbookTextError, match=r"NUL byte .*line 2.*not a text file"):
        decode_upload(b"# Title\nbinary\x00data\n")


def test_utf16_is_refused_with_the_advice_to_save_as_utf8():
    with pytest.raises(RunbookTextError, match=r"UTF-16.*save it as UTF-8"):
        decode_upload("# Title\n".encode("utf-16"))


def test_a_file_over_the_limit_is_refused_stating_the_limit():
    data = b"# Big\n" + b"x" * (MAX_RUNBOOK_BYTES - 5)
    assert len(data) == MAX_RUNBOOK_BYTES + 1
    with pytest.raises(
        RunbookTextError, match=r"2,097,153 bytes.*at most 2 MB \(2,097,152 bytes\)"
    ):
        decode_upload(data)


def test_a_file_at_the_limit_is_accepted():
    data = b"# Big\n" + b"x" * (MAX_RUNBOOK_BYTES - 6)
    assert len(decode_upload(data)) == MAX_RUNBOOK_BYTES


def test_a_byte_order_mark_is_dropped():
    assert decode_upload(b"\xef\xbb\xbf# Title\r\nbody\r\n") == "# Title\nbody\n"
    assert sections(decode_upload(b"\xef\xbb\xbf# Title\n"))[0].title == "Title"


# --- rendering -----------------------------------------------------------------------------


def test_headings_carry_their_section_key_as_id():
    text = dr_text()
    html = render_html(text)
    ids = re.findall(r'<h[1-6] id="(s\d+)">', html)
    assert ids == [s.key for s in sections(text)]


def test_tables_survive_with_bold_cells_and_alignment_as_classes():
    html = render_html(dr_text())
    assert html.count("<table>") == 4
    assert '<th class="text-center">RTO</th>' in html
    assert '<td class="text-start"><strong>Ledger API</strong></td>' in html
    assert "<td><strong>Procedure update</strong></td>" in html
    assert '<td class="text-start"><strong>Card tokens | vault</strong></td>' in html
    assert "<td>Notify <code>#payments</code> with the <code>a|b</code> routing code</td>" in html
    assert "style=" not in html


def test_code_blocks_survive_with_their_language_class():
    html = render_html(dr_text())
    assert '<pre><code class="language-bash">#!/usr/bin/env bash\n# Nightly logical dump' in html
    assert '<code class="language-python">' in html
    assert '<code class="language-yaml"># backup-schedule.yaml\n' in html
    assert "| tee &quot;$DUMP&quot; |" in html or '| tee "$DUMP" |' in html
    assert "<pre><code># restore the legacy cron table\n" in html


def test_a_language_class_with_odd_characters_is_dropped_but_the_code_kept():
    html = render_html('```bash" onmouseover="alert(1)\necho hi\n```\n')
    assert "onmouseover" not in html
    assert "<pre><code>echo hi\n</code></pre>" in html


def test_task_lists_render_as_disabled_checkboxes():
    html = render_html(dr_text())
    assert (
        '<li class="task-list-item"><input type="checkbox" disabled="disabled"> '
        "Announce the drill in #ops-drills</li>"
    ) in html
    assert html.count('disabled="disabled" checked=""') == 2
    assert '<ul class="contains-task-list">' in html
    assert "[ ]" not in html
    assert "[x]" not in html


def test_links_keep_https_http_mailto_and_in_page_anchors_with_noopener():
    html = render_html(
        "[docs](https://example.com/runbook) [old](http://example.com) "
        "[mail](mailto:sre@example.com) [up](#s2)\n"
    )
    assert '<a href="https://example.com/runbook" rel="noopener noreferrer">docs</a>' in html
    assert '<a href="http://example.com" rel="noopener noreferrer">old</a>' in html
    assert '<a href="mailto:sre@example.com" rel="noopener noreferrer">mail</a>' in html
    assert '<a href="#s2" rel="noopener noreferrer">up</a>' in html


def test_links_to_other_schemes_and_relative_paths_lose_their_href():
    html = render_html(
        "[ftp](ftp://example.com/x) [file](file:///etc/passwd) [path](/admin/) "
        "[proto](//evil.example/x)\n"
    )
    assert "href" not in html
    assert "ftp" in html


def test_html_blocks_pass_through_the_parser_and_are_cleaned():
    html = render_html(dr_text())
    assert "<details>\n<summary>Why we restore into an isolated network</summary>" in html
    assert "<strong>once</strong>" in html
    assert "<div>\n# not a heading: inside an HTML block" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>\n",
        "Text <script>alert(1)</script> inline\n",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>\n",
        "<style>body{display:none}</style>\n",
        "<svg><script>alert(1)</script></svg>\n",
        "<svg onload=alert(1)><circle r=1 /></svg>\n",
        "<math><mtext><script>alert(1)</script></mtext></math>\n",
        "<iframe src=https://evil.example></iframe>\n",
        "<object data=https://evil.example/x.swf></object>\n",
        "<embed src=https://evil.example/x.swf>\n",
        '<form action="https://evil.example"><input name=password></form>\n',
    ],
)
def test_dangerous_elements_are_removed(markdown):
    html = render_html(markdown).lower()
    for dangerous in ("<script", "alert", "<style", "<svg", "<math", "<iframe", "<object"):
        assert dangerous not in html
    for dangerous in ("<embed", "<form", "evil.example", "name=", "onload"):
        assert dangerous not in html


def test_a_raw_input_becomes_at_most_a_disabled_checkbox():
    html = render_html('<p><input type="text" name="password" value="x"></p>\n')
    assert html in (
        '<p><input disabled="disabled" type="checkbox"></p>\n',
        '<p><input type="checkbox" disabled="disabled"></p>\n',
    )


@pytest.mark.parametrize(
    "markdown",
    [
        '<p onclick="alert(1)">click</p>\n',
        '<img src="https://example.com/a.png" onerror="alert(1)">\n',
        '<div ONLOAD="alert(1)">x</div>\n',
        '<a href="https://example.com" onMouseOver="alert(1)">x</a>\n',
        '<details ontoggle="alert(1)" open>x</details>\n',
    ],
)
def test_event_handler_attributes_are_removed(markdown):
    html = render_html(markdown)
    assert "alert" not in html
    assert not re.search(r"\son\w+=", html, re.IGNORECASE)


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](javascript:alert(1))\n",
        "[x](JaVaScRiPt:alert(1))\n",
        '<a href="javascript:alert(1)">x</a>\n',
        '<a href="JaVaScRiPt:alert(1)">x</a>\n',
        '<a href="&#106;avascript:alert(1)">x</a>\n',
        '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;'
        'alert(1)">x</a>\n',
        '<a href="java&#09;script:alert(1)">x</a>\n',
        '<a href="java\tscript:alert(1)">x</a>\n',
        '<a href=" javascript:alert(1)">x</a>\n',
        '<a href="jav&#x0A;ascript:alert(1)">x</a>\n',
        "[x](vbscript:msgbox(1))\n",
        '<a href="vbscript:msgbox(1)">x</a>\n',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>\n',
    ],
)
def test_script_and_data_urls_are_removed_from_links_however_written(markdown):
    html = render_html(markdown)
    assert "href" not in html
    assert html.startswith("<p>")
    assert "x" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "![a](data:image/png;base64,iVBORw0KGgo=)\n",
        '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="a">\n',
        '<img src="javascript:alert(1)" alt="a">\n',
        "![a](http://example.com/a.png)\n",
        "![a](/media/a.png)\n",
    ],
)
def test_images_keep_only_https_sources(markdown):
    html = render_html(markdown)
    assert "src" not in html


def test_an_https_image_survives():
    html = render_html("![Topology](https://example.com/topology.png)\n")
    assert '<img src="https://example.com/topology.png" alt="Topology">' in html


def test_heading_ids_from_raw_html_must_look_like_section_keys():
    html = render_html('<h2 id="login-form">x</h2>\n<h2 id="s9">y</h2>\n')
    assert html == '<h2>x</h2>\n<h2 id="s9">y</h2>\n'.rstrip("\n") or 'id="login-form"' not in html
    assert 'id="login-form"' not in html


def test_html_comments_are_removed():
    assert "secret" not in render_html("<!-- secret -->\ntext\n")


def test_render_is_cached_for_the_same_text():
    text = dr_text()
    assert render_html(text) is render_html(text)


def test_texts_beyond_the_cache_limit_are_rendered_each_time_alike():
    big = dr_text() + "\n\n" + "Filler line for a long appendix.\n" * (CACHE_MAX_CHARS // 30)
    assert len(big) > CACHE_MAX_CHARS
    first = render_html(big)
    assert first is not render_html(big)
    assert first == render_html(big)
    assert [s.title for s in sections(big)] == DR_TITLES


# --- rendering one section -----------------------------------------------------------------


def test_one_section_renders_with_its_own_key_as_heading_id():
    text = dr_text()
    section = by_title(sections(text), "4.2.1 Card Processor")
    html = render_section_html(text, section.key)
    assert html.startswith(f'<h4 id="{section.key}">4.2.1 Card Processor</h4>')
    assert "<table>" in html
    assert "Nightly" not in html


def test_one_section_resolves_link_references_defined_elsewhere():
    text = "# T\n\n[runbook]: https://example.com/rb\n\n## A\nsee [the runbook][runbook]\n"
    html = render_section_html(text, "s2")
    assert '<a href="https://example.com/rb" rel="noopener noreferrer">the runbook</a>' in html


def test_the_preamble_renders_alone():
    edge = decode_upload(EDGE_CASES)
    html = render_section_html(edge, "s0")
    assert html.startswith("<p>Text before the first heading is the preamble.")
    assert "<h1" not in html


def test_rendering_an_unknown_section_is_refused():
    with pytest.raises(RunbookTextError):
        render_section_html(dr_text(), "s404")


def test_each_sections_html_concatenated_equals_the_whole_render_of_sections():
    text = dr_text()
    whole = render_html(text)
    parts = "".join(render_section_html(text, s.key) for s in sections(text))
    assert parts == whole
