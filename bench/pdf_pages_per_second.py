"""How fast the PDF service renders table-heavy pages, against the target.

Run: .venv/bin/python bench/pdf_pages_per_second.py [pages]
Prints pages per second of a warm render (a first, untimed render loads the fonts and
styles) and the ratio to TARGET (above 1.0 is better than the target): about 5 table-heavy
pages a second on 2 cores.
"""

import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcp_portal.settings")

import django

django.setup()

import pypdf  # noqa: E402
from django.template import engines  # noqa: E402

from bcp_portal.core.pdf import DocumentControl, render_pdf  # noqa: E402

TARGET_PAGES_PER_SECOND = 5.0
ROWS_PER_PAGE = 32

TEMPLATE = engines["django"].from_string(
    '{% extends "print/base.html" %}{% block content %}<table class="data"><thead><tr>'
    "<th>#</th><th>Step</th><th>Minutes</th><th>Result</th></tr></thead><tbody>"
    "{% for i in rows %}<tr><td>{{ i }}</td><td>Restore the backup and verify the row counts "
    "of table {{ i }}</td><td>{{ i }}</td><td>PASS</td></tr>{% endfor %}</tbody></table>"
    "{% endblock %}"
)


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    context = {
        "document": DocumentControl(document_id="BENCH-1", title="Benchmark"),
        "rows": range(wanted * ROWS_PER_PAGE),
    }
    # Warm: the first render loads fonts and parses the print stylesheet; not timed.
    render_pdf(template=TEMPLATE, context={**context, "rows": range(ROWS_PER_PAGE)})
    started = time.perf_counter()
    pdf = render_pdf(template=TEMPLATE, context=context)
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    rate = pages / elapsed
    print(
        f"pages={pages} seconds={elapsed:.2f} pages_per_second={rate:.2f} "
        f"peak_rss_mib={peak_mib:.0f}"
    )
    ratio = rate / TARGET_PAGES_PER_SECOND
    print(f"ratio_to_target={ratio:.2f} (target {TARGET_PAGES_PER_SECOND} pages/s)")


if __name__ == "__main__":
    main()
