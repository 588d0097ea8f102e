"""Content-Security-Policy: no inline scripts or styles anywhere but the API docs; map tiles allowed."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from portal.settings import _tile_origin

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_pages_allow_only_the_portals_own_scripts_and_styles(client):
    policy = _directives(client.get(reverse("parents:facility_search")))
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


def test_the_tile_host_comes_from_the_setting():
    assert _tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == "https://*.tiles.example.org"
    assert _tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_api_docs_render_with_their_own_relaxed_policy(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = _directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'self'" in policy["script-src"]


def test_no_page_template_has_inline_styles_or_scripts():
    """E-mail templates are not served pages; everything else must work under the policy."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "email" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"\sstyle=\"|<style", text):
            offenders.append(f"{path}: style")
        for tag in re.findall(r"<script[^>]*>", text):
            if "src=" not in tag and "json_script" not in tag:
                offenders.append(f"{path}: {tag}")
    assert not offenders
