"""The dashboard as a browser shows it once its boxes have loaded.

The page (`/`) is a frame: each box fetches its panel with htmx (`hx-get`, on load) and
swaps its loading body for the answer; a panel that answers 404 (nothing for this person)
has its box removed by static/js/dashboard.js. `dashboard_page(client)` does the same with
the test client, so a test reads the dashboard a person sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.test import Client

# A box as templates/dashboard.html writes it, and its loading body (what htmx replaces).
BOX = re.compile(r"<section [^>]*data-panel-box[^>]*>.*?</section>", re.S)
LOADING = re.compile(
    r'<div class="card-body" aria-busy="true" hx-get="([^"]+)".*?</p>\s*</div>', re.S
)


@dataclass
class Dashboard:
    status_code: int
    html: str
    # Each box's address and the status its panel answered.
    loaded: dict[str, int]


def dashboard_load(client: Client) -> Dashboard:
    frame = client.get("/")
    html = frame.content.decode()
    loaded: dict[str, int] = {}

    def load(box: re.Match[str]) -> str:
        section = box.group(0)
        loading = LOADING.search(section)
        assert loading, f"a box without its loading body: {section[:200]}"
        url = loading.group(1)
        answer = client.get(url, headers={"HX-Request": "true"})
        loaded[url] = answer.status_code
        if answer.status_code == 404:
            return ""
        assert answer.status_code == 200, (url, answer.status_code)
        return section[: loading.start()] + answer.content.decode() + section[loading.end() :]

    if frame.status_code == 200:
        html = BOX.sub(load, html)
    return Dashboard(frame.status_code, html, loaded)


def dashboard_page(client: Client) -> str:
    """The dashboard's HTML once every box has loaded its panel."""
    return dashboard_load(client).html
