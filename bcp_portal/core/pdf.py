"""PDF rendering: a Django template and its context to PDF bytes through WeasyPrint.

Every PDF extends `templates/print/base.html`, which links the shared print stylesheet
(`static/css/print.css`: header with the title and document id, "Page N of M" footer) and
lays out the document-control block. The renderer adds what that block needs about the
rendering itself: when (UTC and the reader's zone) and for whom.

WeasyPrint fetches every stylesheet, image and font a document names. Here it goes through
`StaticOnlyFetcher`: `data:` URLs and packaged static files (found by the staticfiles
finders, as `{% static %}` names them) are read locally; anything else (http, https, a
`file://` outside the static files) is refused, so a PDF never reaches the network or the
rest of the disk. A refused resource is logged and left out (WeasyPrint carries on
without it): a missing logo should not cost an auditor the whole report.

Rendering is slow (about five table-heavy pages a second) and memory hungry: stream small
documents from a view with `pdf_response`; anything large goes through the report task
(`bcp_portal.core.exports.start_export`).
"""

from __future__ import annotations

import io
import logging
import mimetypes
import posixpath
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from bcp_portal.core import dates
from bcp_portal.core.people import display_name, user_date_format, user_zone, zone_named
from bcp_portal.core.typehints import Actor

logger = logging.getLogger(__name__)

# Root-relative URLs, which is what `{% static %}` produces, resolve against this base:
# "/static/css/print.css" becomes "file:///static/css/print.css", which the fetcher maps to
# the packaged file. No real file under "/" is ever read through it.
BASE_URL = "file:///"
CONTENT_TYPE = "application/pdf"


class CompiledTemplate(Protocol):
    """A template object, as `engines[...].from_string` returns it."""

    def render(self, context: dict[str, Any] | None = ...) -> str: ...


Template = str | CompiledTemplate


@dataclass(frozen=True)
class DocumentControl:
    """What the document-control block and the page header show about a document.

    `submitted_by` and `approved_by` are who really did that, shown under their own label
    and only when set: a submitted report says "Submitted by", never "Approved by" (nothing
    in the portal approves yet); a generated document (a summary, the catalogue) has neither
    and shows no such row.
    """

    document_id: str
    title: str
    revision: str = "1"
    classification: str = "Internal"
    owner: str = ""
    submitted_by: str = ""
    approved_by: str = ""


class FetchRefused(ValueError):
    """A PDF named a resource that is neither a packaged static file nor a data: URL."""


class _StaticFileResponse(URLFetcherResponse):
    """A static file served under its virtual URL, pointing WeasyPrint at the real file.

    WeasyPrint reads `path` for local images; left alone it would derive it from the
    virtual URL ("/static/...") instead of the file the finders resolved.
    """

    def __init__(self, url: str, body: bytes, headers: dict[str, str], real_path: str) -> None:
        super().__init__(url, body=body, headers=headers)
        self._real_path = real_path

    @property
    def path(self) -> str:
        return self._real_path


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to `data:` URLs and packaged static files.

    `fetched` and `refused` list the URLs asked for, so a caller (or a test) can see what a
    document tried to load.
    """

    def __init__(self) -> None:
        # The parent only ever opens data: URLs; the allow-list is a second lock.
        super().__init__(timeout=2, allowed_protocols=("data",), allow_redirects=False)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            self.fetched.append(url[:40])
            return super().fetch(url, headers)
        real_path = static_file_for_url(url)
        if real_path is None:
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %s", url)
            raise FetchRefused(
                f"Only packaged static files and data: URLs can be used in a PDF, not {url}"
            )
        self.fetched.append(url)
        content_type = mimetypes.guess_type(real_path)[0] or "application/octet-stream"
        return _StaticFileResponse(
            url,
            body=Path(real_path).read_bytes(),
            headers={"Content-Type": content_type},
            real_path=real_path,
        )


def static_file_for_url(url: str) -> str | None:
    """The local path of the packaged static file that `url` names, or None.

    Accepted: `file:///<STATIC_URL path><name>` (a root-relative `{% static %}` URL resolved
    against `BASE_URL`) and, when STATIC_URL is absolute (a CDN), `<STATIC_URL><name>`:
    either way the file is read from the package, never fetched.
    """
    static = urlsplit(settings.STATIC_URL)  # Django adds the script prefix to a relative one
    split = urlsplit(url)
    local = split.scheme == "file" and split.netloc in ("", "localhost")
    same_origin = bool(static.netloc) and (split.scheme, split.netloc) == (
        static.scheme,
        static.netloc,
    )
    if not (local or same_origin):
        return None
    prefix = "/" + static.path.lstrip("/")
    path = unquote(split.path)
    if not path.startswith(prefix):
        return None
    name = posixpath.normpath(path[len(prefix) :])
    if name in (".", "..") or name.startswith(("../", "/")):
        return None
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    return str(found) if found else None


def html_to_pdf(html: str, *, url_fetcher: URLFetcher | None = None) -> bytes:
    """Lay out `html` and return the PDF; resources go through the restricted fetcher."""
    fetcher = url_fetcher if url_fetcher is not None else StaticOnlyFetcher()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def reader_zone(reader: Actor | None) -> str:
    """The reader's own time zone (their profile), else the active one, else UTC."""
    active = zone_named(timezone.get_current_timezone_name())
    return user_zone(reader, default=active).key


def print_context(*, reader: Actor | None = None, now: datetime | None = None) -> dict[str, Any]:
    """What `print/base.html` shows about the rendering: when, in which zone, for whom."""
    if reader is not None and reader.is_authenticated:
        generated_by = display_name(reader)
    else:
        generated_by = "System"
    return {
        "portal_name": settings.PORTAL_NAME,
        "generated_at": now or timezone.now(),
        "reader_zone": reader_zone(reader),
        "generated_by": generated_by,
    }


def render_html(
    *,
    template: Template,
    context: dict[str, Any],
    reader: Actor | None = None,
    now: datetime | None = None,
) -> str:
    """Render a print template: a name, or a template object (`engines[...].from_string`).

    Dates are shown in the reader's own format (their profile), as on their pages, even
    when a worker renders the document; without a reader, in the active one.
    """
    full_context = {**print_context(reader=reader, now=now), **context}
    preference = user_date_format(reader) if reader is not None else dates.active()
    with dates.override(preference):
        if isinstance(template, str):
            return render_to_string(template, full_context)
        return template.render(full_context)


def render_pdf(
    *,
    template: Template,
    context: dict[str, Any],
    reader: Actor | None = None,
    now: datetime | None = None,
    url_fetcher: URLFetcher | None = None,
) -> bytes:
    """The one way the portal makes a PDF: print template + context to PDF bytes."""
    html = render_html(template=template, context=context, reader=reader, now=now)
    return html_to_pdf(html, url_fetcher=url_fetcher)


def pdf_response(
    request: HttpRequest, *, template: Template, context: dict[str, Any], filename: str
) -> FileResponse:
    """Render a small PDF for the signed-in reader and send it as a download.

    Synchronous: keep it to documents of a few pages; larger ones go through the task.
    """
    pdf = render_pdf(template=template, context=context, reader=request.user)
    response = FileResponse(
        io.BytesIO(pdf), as_attachment=True, filename=filename, content_type=CONTENT_TYPE
    )
    # Reports hold internal data: no shared cache keeps a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response
