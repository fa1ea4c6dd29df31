"""Recording search: words through the full-text index, partial codes by substring, ISRCs
exactly — the same answers in the pages and the API."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.entities import ENTITIES
from catalog.filters import (
    COMMON_SHARE,
    RARE_MATCHES,
    _tsquery,
    _words_match,
    _words_walk,
    estimated_share,
    query_words,
    words_mask,
    words_tsquery,
)
from catalog.models import Recording, RecordingPerformer
from catalog.services.entities import entity_create, entity_update
from tests.conftest import Team


def _recording(team: Team, title: str, artist: str, isrc: str, label: Any = None) -> Any:
    return entity_create(
        entity=ENTITIES["recording"],
        label=label or team.label,
        actor=team.owner,
        data={"title": title, "display_artist": artist, "isrc": isrc},
    )


def _titles(client: Any, slug: str, q: str) -> list[str]:
    response = client.get(f"/api/v1/labels/{slug}/recordings/", {"q": q})
    assert response.status_code == 200, response.content
    return sorted(r["title"] for r in response.json()["results"])


@pytest.fixture
def catalog(team: Team) -> Team:
    _recording(team, "Velvet Shadow", "Aurora Lind", "SEABC2600001")
    _recording(team, "Shadow of the Velvet Room", "Nils Sjöberg", "SEABC2600002")
    _recording(team, "Midnight Sun", "Aurora Lind", "SEABC2600003")
    _recording(team, "Midnight Sun (Acoustic)", "Aurora Lind", "SEABC2600004")
    _recording(team, "Riverside 1999", "Élodie Marchand", "SEABC2600005")
    _recording(team, "Velvet Shadow", "Someone Else", "SEXYZ2600009", label=team.other_label)
    return team


def test_words_match_in_any_order_as_words_or_their_beginnings(catalog: Team) -> None:
    client = catalog.client_for(catalog.viewer)
    slug = catalog.label.slug
    both = ["Shadow of the Velvet Room", "Velvet Shadow"]
    assert _titles(client, slug, "velvet shadow") == both
    assert _titles(client, slug, "Shadow VELVET") == both
    assert _titles(client, slug, "velvet sha") == both  # the last word as far as typed
    assert _titles(client, slug, "velv") == both
    # Title and artist together: the user types what they remember of both.
    assert _titles(client, slug, "aurora midnight") == ["Midnight Sun", "Midnight Sun (Acoustic)"]
    assert _titles(client, slug, "acoustic") == ["Midnight Sun (Acoustic)"]
    # Another label's recording of the same name never shows.
    assert _titles(client, slug, "someone") == []
    assert _titles(client, slug, "zzqx") == []


def test_accents_and_case_do_not_matter(catalog: Team) -> None:
    client = catalog.client_for(catalog.viewer)
    slug = catalog.label.slug
    assert _titles(client, slug, "sjoberg") == ["Shadow of the Velvet Room"]
    assert _titles(client, slug, "SJÖBERG") == ["Shadow of the Velvet Room"]
    assert _titles(client, slug, "elodie") == ["Riverside 1999"]


def test_partial_codes_and_numbers_match_as_substrings_and_isrcs_exactly(catalog: Team) -> None:
    client = catalog.client_for(catalog.viewer)
    slug = catalog.label.slug
    assert _titles(client, slug, "999") == ["Riverside 1999"]
    assert _titles(client, slug, "SE-ABC-26-00003") == ["Midnight Sun"]
    assert _titles(client, slug, "SEXYZ2600009") == []
    page = client.get(f"/l/{slug}/catalog/recordings/", {"q": "velvet shadow"})
    html = page.content.decode()
    assert "Shadow of the Velvet Room" in html and "Midnight Sun" not in html


def test_common_words_give_the_same_answers_as_rare_ones(
    catalog: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = catalog.client_for(catalog.viewer)
    slug = catalog.label.slug
    rare = _titles(client, slug, "aurora")
    # With a threshold of one match, "aurora" (three matches) is a common word: the
    # sorted list is walked with the match as a filter instead of the short list of rows.
    monkeypatch.setattr("catalog.filters.RARE_MATCHES", 1)
    assert (
        _titles(client, slug, "aurora")
        == rare
        == [
            "Midnight Sun",
            "Midnight Sun (Acoustic)",
            "Velvet Shadow",
        ]
    )


def test_an_edited_title_is_found_by_its_new_words(catalog: Team) -> None:
    client = catalog.client_for(catalog.owner)
    slug = catalog.label.slug
    recording = Recording.objects.for_label(catalog.label).get(isrc="SEABC2600005")
    entity_update(
        entity=ENTITIES["recording"],
        instance=recording,
        actor=catalog.owner,
        data={"title": "Harbour Lights"},
    )
    assert _titles(client, slug, "harbour") == ["Harbour Lights"]
    assert _titles(client, slug, "riverside") == []


def test_query_text_is_built_from_words_only() -> None:
    assert words_tsquery("velvet shadow") == "'velvet' & 'shadow':*"
    assert words_tsquery("it's a") == "'it' & 's' & 'a'"
    # Operators and quotes typed by a user are not words: they cannot break the query.
    assert words_tsquery("a & !b | 'c") == "'a' & 'b' & 'c'"
    assert words_tsquery("SE-A02") is None and words_tsquery("1999") is None
    assert words_tsquery("--") is None


def test_the_words_search_can_use_its_indexes(catalog: Team) -> None:
    match = "search_document @@ to_tsquery('simple'::regconfig, optout_unaccent(%s))"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_recording")
        # The walk of a common word: the title order, the match checked in the index (an
        # index-only scan once VACUUM has marked the pages, which a test transaction cannot
        # do; the narrower index of the same order, as cheap here, is set aside).
        cursor.execute("DROP INDEX recording_label_sort_title")
        # On a table this small any index on the label and a sort cost the same: the walk
        # in title order is asked for, which only the title index left gives.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM catalog_recording WHERE label_id = %s AND {match}"
            " ORDER BY sort_title, code LIMIT 51",
            [catalog.label.pk, "'velvet':*"],
        )
        walk = "\n".join(row[0] for row in cursor.fetchall())
        assert "using recording_label_sort_title_words" in walk, walk
        # The probe of a rare word: the full-text index. On a table this small a bitmap
        # over the wider btree costs as little, so that one is set aside (rolled back).
        cursor.execute("SET LOCAL enable_bitmapscan = on")
        cursor.execute("SET LOCAL enable_sort = on")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("DROP INDEX recording_label_sort_title_words")
        cursor.execute(f"EXPLAIN SELECT 1 FROM catalog_recording WHERE {match}", ["'velvet':*"])
        probe = "\n".join(row[0] for row in cursor.fetchall())
    assert "catalog_recording_search_fts" in probe, probe


def test_a_search_pages_through_every_match_once_in_title_order(catalog: Team) -> None:
    for number in range(7):
        _recording(catalog, f"Harbour {chr(ord('G') - number)}", "Sea Band", f"SEHRB260000{number}")
    client = catalog.client_for(catalog.viewer)
    url: str | None = f"/api/v1/labels/{catalog.label.slug}/recordings/?q=harbour&page_size=3"
    seen, pages = [], []
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [r["title"] for r in body["results"]]
        url = body["next"]
    assert seen == [f"Harbour {letter}" for letter in "ABCDEFG"]
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    back = client.get(pages[2]["previous"]).json()
    assert [r["title"] for r in back["results"]] == ["Harbour D", "Harbour E", "Harbour F"]


def test_words_the_statistics_call_common_skip_the_index_probe(
    catalog: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(40):
        _recording(catalog, f"River Song {number:02d}", "Delta Band", f"SERIV26000{number:02d}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_recording")
    monkeypatch.setattr("catalog.filters._statistics", None)
    assert estimated_share(["river"]) >= COMMON_SHARE
    assert estimated_share(["velvet", "zzqx"]) == 0.0  # a word the statistics do not know
    client = catalog.client_for(catalog.viewer)
    with CaptureQueriesContext(connection) as queries:
        titles = _titles(client, catalog.label.slug, "river so")
    assert titles == [f"River Song {number:02d}" for number in range(40)]
    probes = [q["sql"] for q in queries.captured_queries if f"LIMIT {RARE_MATCHES + 1}" in q["sql"]]
    assert probes == []
    # A word the statistics do not name still asks the index first.
    monkeypatch.setattr("catalog.filters._statistics", (time.monotonic(), {}))
    with CaptureQueriesContext(connection) as queries:
        assert _titles(client, catalog.label.slug, "sjoberg") == ["Shadow of the Velvet Room"]
    assert any(f"LIMIT {RARE_MATCHES + 1}" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("term", ["harbour", "HRB-7"])
def test_a_page_of_matches_lies_past_the_rows_that_sort_first_and_is_read_in_one_statement(
    catalog: Team, monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    # Rows that sort first and do not match: a search whose walk looked at the outer
    # query's row instead of its own would answer with these rows' neighbours, or nothing.
    for number in range(6):
        _recording(catalog, f"Aaa {number}", "Early Band", f"SEAAA260000{number}")
    for number in (1, 2, 3):
        _recording(catalog, f"Zed Harbour HRB-7{number}", "Late Band", f"SEZED260000{number}")
    # "harbour" walks the title order (as a common word does), "HRB-7" is a partial code.
    monkeypatch.setattr("catalog.filters._statistics", (time.monotonic(), {"harbour": 0.5}))
    client = catalog.client_for(catalog.viewer)
    url = f"/api/v1/labels/{catalog.label.slug}/recordings/"
    # Django empties the query log when a request starts: the capture must start from it.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"q": term, "page_size": "2"}).json()
    reads = [q["sql"] for q in queries.captured_queries if "catalog_recording" in q["sql"]]
    assert len(reads) == 1, reads
    assert [r["title"] for r in first["results"]] == ["Zed Harbour HRB-71", "Zed Harbour HRB-72"]
    second = client.get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == ["Zed Harbour HRB-73"]


# Titles and artists the way catalogues spell them: accents, hyphens, apostrophes, digits,
# other scripts, one-letter words, a domain name.
ODD_NAMES = [
    ("Shadow-Boxing", "Hip-Hop Crew"),
    ("Rock'n'Roll Über Alles", "Die Ärzte"),
    ("東京 Nights", "Ōta Band"),
    ("Sjöberg's Waltz 1999", "Trio 3"),
    ("Mañana", "Niño Collective"),
    ("Q", "X Æ A-12"),
    ("Release v2.0", "example.com"),
    ("VELVET underground", "The Velvets"),
]
TERMS = [
    "velvet",
    "velvet sha",
    "velvets",
    "vel",
    "shadow boxing",
    "boxing shadow",
    "hip hop",
    "hop",
    "rock n roll",
    "uber",
    "über alles",
    "ärzte",
    "東京",
    "nights 東",
    "sjoberg",
    "sjöberg 1999",
    "waltz 19",
    "manana",
    "niño",
    "q",
    "x a 12",
    "æ",
    "release v2",
    "example",
    "example com",
    "the",
    "un",
    "zz",
    "sh",
    "ota",
    "Ōta band",
    "trio 3",
]


def test_the_word_signature_never_loses_a_match(catalog: Team) -> None:
    for number, (title, artist) in enumerate(ODD_NAMES):
        _recording(catalog, title, artist, f"SEODD260000{number}")
    recordings = Recording.objects.for_label(catalog.label)
    assert words_mask(["velvet", "sha"]) != 0  # plain words do ask the signature
    asked = 0
    for term in TERMS:
        words = query_words(term)
        assert words is not None, term
        found = set(recordings.filter(_words_walk(words)).values_list("pk", flat=True))
        exact = set(recordings.filter(_words_match(_tsquery(words))).values_list("pk", flat=True))
        assert found == exact, term
        asked += bool(exact)
    assert asked >= 20  # most terms find something: the comparison is not between nothings


@pytest.mark.django_db
def test_the_application_and_the_database_choose_the_same_bits() -> None:
    words = ["velvet", "a", "1999", "abc123", "x" * 40, "sha"]
    with connection.cursor() as cursor:
        for word in words:
            cursor.execute("SELECT optout_word_bit(%s), optout_prefix_bit(%s)", [word, word])
            whole, prefix = cursor.fetchone()
            assert words_mask([word, "zzzzz"]) & whole == whole, word
            assert words_mask([word]) == (prefix if len(word) > 1 else whole), word


def test_a_search_beside_a_filter_that_joins_many_rows_lists_each_match_once(
    catalog: Team,
) -> None:
    # The performer filter joins performers (a DISTINCT query); the search's walk runs as a
    # subquery of the page's statement all the same.
    singer = entity_create(
        entity=ENTITIES["party"], label=catalog.label, actor=catalog.owner, data={"name": "Ann"}
    )
    velvet = Recording.objects.for_label(catalog.label).filter(title__startswith="Velvet").get()
    for role in (RecordingPerformer.Role.VOCALIST, RecordingPerformer.Role.BACKING_VOCALIST):
        RecordingPerformer.objects.create(
            label=catalog.label, recording=velvet, party=singer, role=role
        )
    client = catalog.client_for(catalog.viewer)
    query = {"q": "velvet", "performer": str(singer.code)}
    body = client.get(f"/api/v1/labels/{catalog.label.slug}/recordings/", query).json()
    assert [r["id"] for r in body["results"]] == [str(velvet.code)]
    page = client.get(reverse("catalog:recordings", args=[catalog.label.slug]), query)
    assert page.status_code == 200
    assert page.content.decode().count(f"/recordings/{velvet.code}/") >= 1
    assert "Shadow of the Velvet Room" not in page.content.decode()
