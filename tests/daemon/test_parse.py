"""parse: RSS/Atom/RDF/JSON Feed into Articles; identity, dates, language, text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.poll.parse import ParseError, article_id, canonical_link, html_to_text, parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><language>de-DE</language><ttl>30</ttl>
<item><title>Putin &amp; Kim</title><link>https://News.example/a?utm_source=x&amp;id=7#top</link>
<guid>g-1</guid><pubDate>Tue, 10 Jun 2025 10:00:00 +0200</pubDate>
<description>&lt;p&gt;Erster Absatz.&lt;/p&gt;
&lt;p&gt;Zweiter Absatz.&lt;/p&gt;</description></item>
<item><title>Ohne GUID</title><link>https://news.example/b?fbclid=1</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
<title>Fil</title><entry><id>urn:1</id><title>Titre</title>
<updated>2025-06-10T08:00:00Z</updated><content type="html">&lt;p&gt;Texte&lt;/p&gt;</content>
<link href="https://ex.example/1"/></entry></feed>"""

RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>R</title></channel>
<item rdf:about="https://r.example/1"><title>One</title><link>https://r.example/1</link></item>
</rdf:RDF>"""


def test_rss_item_becomes_an_article_with_paragraphs_utc_date_and_language() -> None:
    feed = parse_feed(RSS, "https://news.example/feed")
    assert (feed.title, feed.lang, feed.ttl_s) == ("Wire", "de", 1800.0)
    first = feed.articles[0]
    assert first.title == "Putin & Kim"
    assert first.text == "Putin & Kim\n\nErster Absatz.\n\nZweiter Absatz."
    assert first.published_at == datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    assert first.lang == "de" and first.guid == "g-1" and first.feed_title == "Wire"


def test_atom_and_rdf_parse() -> None:
    atom = parse_feed(ATOM, "https://ex.example/atom")
    assert atom.articles[0].lang == "fr" and atom.articles[0].text == "Titre\n\nTexte"
    rdf = parse_feed(RDF, "https://r.example/rdf")
    assert [a.url for a in rdf.articles] == ["https://r.example/1"]


def test_json_feed_1_1() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JF",
        "language": "en-GB",
        "items": [
            {
                "id": "1",
                "url": "https://j.example/1",
                "title": "Hello",
                "content_html": "<p>One.</p><p>Two.</p>",
                "date_published": "2025-06-10T10:00:00+02:00",
                "language": "de",
            },
            {"id": "2", "content_text": "Plain\n\ntext", "date_modified": "2025-06-11T00:00:00Z"},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), "https://j.example/feed.json")
    one, two = feed.articles
    assert (feed.title, feed.lang) == ("JF", "en")
    assert one.text == "Hello\n\nOne.\n\nTwo." and one.lang == "de"
    assert one.published_at == datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    assert two.text == "Plain\n\ntext" and two.lang == "en"
    assert two.published_at == datetime(2025, 6, 11, tzinfo=UTC)


def test_json_that_is_not_a_feed_is_not_a_feed() -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(b'{"hello": "world"}', "https://j.example/x.json")
    assert info.value.error_class == "not_a_feed"


def test_broken_xml_with_a_feed_root_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(b'<?xml version="1.0"?><rss', "https://x/f")
    assert info.value.error_class == "parse"
    with pytest.raises(ParseError) as info:
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "https://x/j")
    assert info.value.error_class == "parse"


def test_recovered_entries_are_a_warning() -> None:
    broken = RSS.replace(b"<title>Wire</title>", b"<title>Wire &nbsp</title>")
    feed = parse_feed(broken, "https://news.example/feed")
    assert feed.warning and len(feed.articles) == 2


def test_identity_is_guid_else_canonical_link_else_content() -> None:
    a = article_id("f", "g", "https://x.example/a", "t", "x")
    assert a == article_id("f", "g", "https://x.example/OTHER", "t2", "y")
    by_link = article_id("f", None, "https://X.example/a?utm_medium=rss#c", "t", "x")
    assert by_link == article_id("f", None, "https://x.example/a", "other", "text")
    by_text = article_id("f", None, "", "t", "x")
    assert by_text == article_id("f", None, "", "t", "x") != article_id("f", None, "", "t", "z")


def test_canonical_link_drops_tracking_and_fragment() -> None:
    url = "HTTPS://News.Example:443/a/b?utm_source=rss&id=7&fbclid=abc&gclid=1#frag"
    assert canonical_link(url) == "https://news.example/a/b?id=7"
    assert canonical_link("http://h.example:8080") == "http://h.example:8080/"
    assert canonical_link("") == ""


@given(
    st.sampled_from(["utm_source", "utm_campaign", "fbclid", "gclid", "mc_eid"]),
    st.text(alphabet="abc123", min_size=1, max_size=8),
    st.sampled_from(["", "#x", "#section-2"]),
)
def test_canonical_link_is_stable_under_tracking_params(param: str, value: str, frag: str) -> None:
    base = "https://news.example/story?id=42"
    assert canonical_link(f"{base}&{param}={value}{frag}") == canonical_link(base)


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<div><p>One <b>two</b></p><script>x()</script><ul><li>a</li><li>b</li></ul></div>"
    assert html_to_text(html) == "One two\n\na\n\nb"


def test_html_in_titles_and_scripts_in_bodies_become_plain_text() -> None:
    feed = parse_feed(
        b"<rss version='2.0'><channel><title>&lt;b&gt;Wire&lt;/b&gt; &amp;amp; Co</title>"
        b"<item><title>&lt;i&gt;Kim&lt;/i&gt;</title><description>&lt;script&gt;alert(1)"
        b"&lt;/script&gt;&lt;p&gt;Text&lt;/p&gt;</description></item></channel></rss>",
        "https://x.example/rss",
    )
    assert feed.title == "Wire & Co"
    assert feed.articles[0].text == "Kim\n\nText"
