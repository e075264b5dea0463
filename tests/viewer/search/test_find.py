"""Vietnamese-aware matching (pure functions, no worker)."""

from __future__ import annotations

from viewer.search.find import PageText, SearchOptions, find_in_page, fold_query, normalise


def _page(text: str) -> PageText:
    return PageText(text, [(float(i), 0.0, float(i + 1), 10.0) for i in range(len(text))])


def test_accent_insensitive_finds_diacritics() -> None:
    opts = SearchOptions()
    hits = find_in_page(3, _page("Căn cứ Quyết định số 12"), fold_query("quyet dinh", opts), opts)
    assert len(hits) == 1
    hit = hits[0]
    assert hit.page == 3
    assert hit.context[hit.context_start : hit.context_start + hit.context_length] == "Quyết định"
    assert hit.rects == ((7.0, 0.0, 17.0, 10.0),)


def test_d_with_stroke_folds_to_d() -> None:
    opts = SearchOptions()
    assert normalise("Đồng đội", opts)[0] == "dong doi"
    assert find_in_page(0, _page("ĐỒNG CHÍ"), fold_query("dong chi", opts), opts)


def test_match_diacritics_is_exact_about_marks() -> None:
    opts = SearchOptions(match_diacritics=True)
    page = _page("quyet dinh và quyết định")
    hits = find_in_page(0, page, fold_query("quyết định", opts), opts)
    assert [h.context[h.context_start :][:10] for h in hits] == ["quyết định"]


def test_decomposed_input_matches_composed_query() -> None:
    opts = SearchOptions(match_diacritics=True)
    decomposed = "quye\u0302\u0301t"  # e + circumflex + acute, as some PDFs store it
    page = PageText.from_chars(
        list(decomposed), [(float(i), 0, i + 1.0, 9) for i in range(len(decomposed))]
    )
    assert page.text == "quyết"
    assert find_in_page(0, page, fold_query("quyết", opts), opts)


def test_match_case() -> None:
    opts = SearchOptions(match_case=True)
    page = _page("Điều 1 và điều 2")
    assert len(find_in_page(0, page, fold_query("Điều", opts), opts)) == 1
    assert len(find_in_page(0, page, fold_query("điều", SearchOptions()), SearchOptions())) == 2


def test_empty_query_finds_nothing() -> None:
    assert find_in_page(0, _page("abc"), "", SearchOptions()) == []
