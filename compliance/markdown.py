"""Runbook text: decoding an upload, cutting Markdown into sections, sanitised rendering.

Plain functions over strings (no models, no database), so every caller (import, editor,
diff, PDF, API) sees the same sections and the same HTML.

How a text is cut into sections
-------------------------------
markdown-it-py parses the text once (CommonMark, raw HTML allowed, GFM tables and
strikethrough); its token stream says which lines are headings (`Token.map`). So a `#` line
inside fenced or indented code, inside an HTML block, or the `---` under a paragraph
(a setext heading) versus a `---` after a blank line (a thematic break) come out as the
CommonMark reference does, not as a line-by-line guess.

* Only top-level headings cut sections. A heading inside a blockquote or a list item belongs
  to the body of the section around it (it is rendered as a heading, without an id).
* A section's own text runs from its heading line(s) to the line before the next heading of
  any level (or the end of the text). Concatenating every section's own text, preamble first,
  gives back the text exactly.
* The preamble (key "s0") is the text before the first heading, kept only when it holds
  something besides whitespace. Blank lines before the first heading are otherwise folded
  into the first section, whose `start` is then 0 rather than its heading line.
* Keys are "s1", "s2", ... in document order; rendered headings carry the same key as their
  id, so a page can link to `#s3`.
* Outline numbers come from the tree (parent = the nearest heading above with a lower level).
  When the text has exactly one top-most heading and it is the first heading, it is the
  document's title: it gets no number and its children are numbered 1, 2, ... (a runbook
  titled by one `#` heading with numbered `##` chapters keeps the numbers its author wrote).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bcp_portal.core import limits

MAX_RUNBOOK_BYTES = limits.RUNBOOK_MAX_BYTES  # an import's limit (forms, the API, the command)

_UTF8_BOM = b"\xef\xbb\xbf"

# Pages render the same version again and again, so parses and renders are kept for the last
# texts seen; only texts up to this size, so 64 cached 2 MB uploads cannot pin memory.
CACHE_MAX_CHARS = 256 * 1024
_CACHE_SIZE = 64

_T = TypeVar("_T")


def _cached(function: Callable[[str], _T]) -> Callable[[str], _T]:
    """`function` with an LRU cache for texts up to CACHE_MAX_CHARS; larger ones are computed."""
    cached = lru_cache(maxsize=_CACHE_SIZE)(function)

    def call(text: str) -> _T:
        return cached(text) if len(text) <= CACHE_MAX_CHARS else function(text)

    return call


class RunbookTextError(ValueError):
    """A runbook text the portal refuses; the message is a full user-facing sentence."""


# --------------------------------------------------------------------------------------
# Decoding and normalising


def normalise(text: str) -> str:
    """CRLF and a lone CR become LF; nothing else changes (spaces, tabs, final newline kept)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_upload(data: bytes) -> str:
    """The bytes of an uploaded file as normalised text, or a RunbookTextError saying why not."""
    size = len(data)
    if size > MAX_RUNBOOK_BYTES:
        raise RunbookTextError(
            f"The file is {size:,} bytes; a runbook may be at most "
            f"{MAX_RUNBOOK_BYTES // (1024 * 1024)} MB ({MAX_RUNBOOK_BYTES:,} bytes)."
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data:
        raise RunbookTextError("The file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RunbookTextError(
            "The file is UTF-16 text, not UTF-8: save it as UTF-8 and upload it again."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise RunbookTextError(
            f"The file contains a NUL byte (at byte offset {nul}, line {line}), "
            "so it is not a text file."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start
        line = data.count(b"\n", 0, offset) + 1
        raise RunbookTextError(
            f"The file is not valid UTF-8 text: the first invalid byte (0x{data[offset]:02x}) "
            f"is at byte offset {offset}, line {line}. Save it as UTF-8 and upload it again."
        ) from None
    if not text.strip():
        raise RunbookTextError("The file is empty: it holds only whitespace.")
    return normalise(text)


# --------------------------------------------------------------------------------------
# Parsing


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


_MD = _parser()


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


def _split_lines(text: str) -> list[str]:
    """Lines with their "\\n" kept, split exactly as markdown-it counts them (on LF only)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _plain(children: Sequence[Token] | None) -> str:
    """Inline tokens as plain text (code spans keep their text, raw HTML is dropped)."""
    out: list[str] = []
    for token in children or ():
        if token.type in ("text", "text_special", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image":
            out.append(_plain(token.children))
    return "".join(out)


@dataclass(frozen=True)
class _Heading:
    line: int
    level: int
    title: str


def _headings(tokens: Sequence[Token]) -> list[_Heading]:
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map is not None:
            inline = tokens[index + 1]
            title = " ".join(_plain(inline.children).split())
            found.append(_Heading(token.map[0], int(token.tag[1]), title))
    return found


def _numbers(levels: list[int], parents: list[int | None]) -> list[str]:
    """Outline numbers of the headings (indexes into the heading list)."""
    children: dict[int | None, list[int]] = {}
    for index, parent in enumerate(parents):
        children.setdefault(parent, []).append(index)
    numbers = [""] * len(levels)
    roots = children.get(None, [])
    titled = len(roots) == 1 and roots[0] == 0

    def walk(parent: int | None, prefix: str) -> None:
        for position, child in enumerate(children.get(parent, []), start=1):
            numbers[child] = f"{prefix}{position}"
            walk(child, f"{numbers[child]}.")

    if titled:
        walk(0, "")
    else:
        walk(None, "")
    return numbers


@_cached
def _sections(text: str) -> tuple[Section, ...]:
    lines = _split_lines(text)
    heads = _headings(_MD.parse(text))
    if not heads:
        if not text.strip():
            return ()
        return (Section("s0", 0, "", "", 0, len(lines), text, None, ()),)

    parents: list[int | None] = []
    stack: list[int] = []
    for index, head in enumerate(heads):
        while stack and heads[stack[-1]].level >= head.level:
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(index)
    numbers = _numbers([h.level for h in heads], parents)
    kids: dict[int, list[str]] = {}
    for index, parent in enumerate(parents):
        if parent is not None:
            kids.setdefault(parent, []).append(f"s{index + 1}")

    result: list[Section] = []
    first = heads[0].line
    preamble = "".join(lines[:first])
    starts = [h.line for h in heads]
    if preamble.strip():
        result.append(Section("s0", 0, "", "", 0, first, preamble, None, ()))
    else:
        starts[0] = 0
    for index, head in enumerate(heads):
        start = starts[index]
        end = heads[index + 1].line if index + 1 < len(heads) else len(lines)
        parent = parents[index]
        result.append(
            Section(
                key=f"s{index + 1}",
                level=head.level,
                title=head.title,
                number=numbers[index],
                start=start,
                end=end,
                own_text="".join(lines[start:end]),
                parent=None if parent is None else f"s{parent + 1}",
                children=tuple(kids.get(index, ())),
            )
        )
    return tuple(result)


def sections(text: str) -> list[Section]:
    """Every section of the (normalised) text in document order; see the module docstring."""
    return list(_sections(normalise(text)))


def outline(text: str) -> list[Section]:
    """The headings only (no preamble), for a table of contents."""
    return [section for section in _sections(normalise(text)) if section.level > 0]


_OWN_NUMBER = re.compile(r"\d+(?:\.\d+)*\.?(?=\s)")


def section_label(section: Section) -> str:
    """How a section is named to people: "3.1.2 Custom Backup Procedures".

    A title that starts with an outline number of its own is shown as written; otherwise
    the computed number is put in front. The preamble is "Preamble".
    """
    if section.level == 0:
        return "Preamble"
    if not section.number or _OWN_NUMBER.match(section.title):
        return section.title or "(untitled heading)"
    return f"{section.number} {section.title}".rstrip()


def _find(text: str, key: str) -> tuple[list[Section], int]:
    found = _sections(text)
    for index, section in enumerate(found):
        if section.key == key:
            return list(found), index
    raise RunbookTextError(f"The runbook has no section {key!r}: it may have changed meanwhile.")


def replace_section(text: str, key: str, new_own_text: str) -> str:
    """The text with one section's own text (heading and body) replaced.

    The new text is normalised and given a final line break when a section follows it.
    An edit may change or add headings; it may not change the sections after it (an
    unclosed code fence, say, would swallow them): that is refused with a RunbookTextError.
    """
    text = normalise(text)
    new_own_text = normalise(new_own_text)
    found, index = _find(text, key)
    section = found[index]
    lines = _split_lines(text)
    before = "".join(lines[: section.start])
    after_sections = found[index + 1 :]
    after = "".join(s.own_text for s in after_sections)
    if after and new_own_text and not new_own_text.endswith("\n"):
        new_own_text += "\n"
    candidates = [new_own_text]
    if after and new_own_text and not new_own_text.endswith("\n\n"):
        # A paragraph right above a setext heading would join its title.
        candidates.append(new_own_text + "\n")
    for candidate in candidates:
        result = before + candidate + after
        if not after_sections:
            return result
        tail = _sections(result)[-len(after_sections) :]
        if [s.own_text for s in tail] == [s.own_text for s in after_sections]:
            return result
    raise RunbookTextError(
        "The edited section would change the sections after it (an unclosed code fence or "
        "HTML block, for example): close it and save again."
    )


# --------------------------------------------------------------------------------------
# Rendering

_HEADING_TAGS = {f"h{n}" for n in range(1, 7)}
_ALLOWED_TAGS = _HEADING_TAGS | {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
}
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: {"id"} for tag in _HEADING_TAGS},
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "ol": {"start", "class"},
    "ul": {"class"},
    "li": {"class"},
    "th": {"class", "colspan", "rowspan"},
    "td": {"class", "colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "input": {"checked", "disabled"},
}
# Removed with everything inside them, not just their tags.
_CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
}
_HEADING_ID = re.compile(r"s\d{1,6}")
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_CLASSES = {
    "li": {"task-list-item"},
    "ul": {"contains-task-list"},
    "ol": {"contains-task-list"},
    "th": {"text-start", "text-center", "text-end"},
    "td": {"text-start", "text-center", "text-end"},
}
_NUMBER = re.compile(r"\d{1,5}")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _HEADING_ID.fullmatch(value) else None
    if attribute == "class":
        if tag == "code":
            return value if _LANGUAGE_CLASS.fullmatch(value) else None
        return value if value in _CLASSES.get(tag, set()) else None
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith("https://") else None
    if attribute in {"width", "height", "start", "span", "colspan", "rowspan"}:
        return value if _NUMBER.fullmatch(value.strip()) else None
    return value


def _relative_url(url: str) -> str | None:
    """Only in-page links ("#s3") among relative URLs; "//host" and paths are dropped."""
    return url if url.startswith("#") else None


_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel="noopener noreferrer",
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    set_tag_attribute_values={"input": {"type": "checkbox", "disabled": "disabled"}},
    url_schemes={"http", "https", "mailto"},
    url_relative=_relative_url,
)

_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
_ALIGN = {
    "text-align:left": "text-start",
    "text-align:center": "text-center",
    "text-align:right": "text-end",
}


def _annotate(tokens: list[Token], first_index: int) -> None:
    """Heading ids, task-list checkboxes and table alignment classes, in place."""
    heading = first_index
    lists: list[Token] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:
            token.attrSet("id", f"s{heading}")
            heading += 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style is not None:
                token.attrs.pop("style", None)
                align = _ALIGN.get(str(style).replace(" ", ""))
                if align:
                    token.attrSet("class", align)
        elif (
            token.type == "list_item_open"
            and index + 2 < len(tokens)
            and tokens[index + 1].type == "paragraph_open"
            and tokens[index + 2].type == "inline"
        ):
            _task_item(token, tokens[index + 2], lists)


def _task_item(item: Token, inline: Token, lists: list[Token]) -> None:
    children = inline.children or []
    if not children or children[0].type != "text":
        return
    first = children[0]
    match = _TASK.match(first.content)
    if match is None:
        return
    first.content = first.content[match.end() :]
    checked = " checked" if match.group(1) in "xX" else ""
    box = Token("html_inline", "", 0)
    box.content = f'<input type="checkbox" disabled{checked}> '
    children.insert(0, box)
    item.attrSet("class", "task-list-item")
    if lists:
        lists[-1].attrSet("class", "contains-task-list")


def _render(text: str, first_index: int, env: dict[str, Any] | None = None) -> str:
    env = {} if env is None else env
    tokens = _MD.parse(text, env)
    _annotate(tokens, first_index)
    html = _MD.renderer.render(tokens, _MD.options, env)
    return _CLEANER.clean(html)


@_cached
def _render_cached(text: str) -> str:
    return _render(text, 1)


def render_html(text: str) -> str:
    """The Markdown as sanitised HTML (headings carry their section key as id)."""
    return _render_cached(normalise(text))


@_cached
def _references(text: str) -> dict[str, Any]:
    env: dict[str, Any] = {}
    _MD.parse(text, env)
    return dict(env.get("references", {}))


def render_section_html(text: str, key: str) -> str:
    """One section's own text, rendered likewise (link references from the whole text)."""
    text = normalise(text)
    found, index = _find(text, key)
    section = found[index]
    env: dict[str, Any] = {"references": dict(_references(text))}
    first_index = int(section.key[1:]) if section.level else 1
    return _render(section.own_text, first_index, env)
