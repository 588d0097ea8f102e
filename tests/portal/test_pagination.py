"""The page links keep the other query parameters, escaped, and speak the request's language."""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils import translation

from portal.pagination import page_links


def links(number: int, query: str = "", pages: int = 12) -> str:
    page = Paginator(range(pages * 10), 10).get_page(number)
    page_range = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    with translation.override("en"):
        return str(page_links(QueryDict(query), page, page_range))


def test_one_page_has_no_links():
    assert links(1, pages=1) == ""


def test_a_middle_page_links_both_ways_marks_itself_and_elides_the_rest():
    html = links(6, "state=active&page=6")
    assert '<a class="page-link" rel="prev" href="?state=active&amp;page=5">Previous</a>' in html
    assert '<a class="page-link" rel="next" href="?state=active&amp;page=7">Next</a>' in html
    assert '<span class="page-link" aria-current="page">6</span>' in html
    assert html.count('<span class="page-link">…</span>') == 2
    assert 'href="?state=active&amp;page=12" aria-label="Page 12">12</a>' in html
    assert 'href="?state=active&amp;page=3"' not in html  # elided
    assert html.startswith('<nav aria-label="Result pages" class="mt-3">')


def test_the_first_and_last_pages_have_no_link_beyond_them():
    assert 'rel="prev"' not in links(1)
    assert 'rel="next"' not in links(12)


def test_other_parameters_are_kept_escaped():
    html = links(2, "q=%3Cb%3E%22x%22&page=2")
    assert "<b>" not in html
    assert 'href="?q=%3Cb%3E%22x%22&amp;page=1"' in html


def test_the_words_follow_the_language():
    page = Paginator(range(30), 10).get_page(2)
    with translation.override("de"):
        html = str(page_links(QueryDict("page=2"), page, [1, 2, 3]))
    assert 'aria-label="Seite 3"' in html
    assert ">Zurück</a>" in html
    assert '<nav aria-label="Ergebnisseiten"' in html
