from __future__ import annotations

import pytest

from pipeline.extract import extract_document
from pipeline.types import Document


def claims_of(nlp, text, published="2025-05-20"):
    return extract_document(nlp, Document(text=text, published=published)).claims


def test_claims_one_sentence_two_claims_with_their_own_time_and_quantity(nlp):
    text = (
        "Prior to this, from early to mid-April, more than 200 sedans, cargo trucks, and excavators were brought "
        "in, and in March, a large volume of transport equipment including sedans and buses was also smuggled in."
    )
    first, second = claims_of(nlp, text)
    assert first["sentence"]["index"] == second["sentence"]["index"] == 0
    assert (first["time"]["from"], first["time"]["to"]) == ("2025-04-01", "2025-04-20")
    assert first["quantity"]["lower"] == 200 and first["quantity"]["lower_inclusive"] is False
    assert (second["time"]["from"], second["time"]["to"]) == ("2025-03-01", "2025-03-31")
    assert second["quantity"]["vague"] is True and second["quantity"]["lower"] is None
    assert second["sentence"]["span"]["start"] > first["sentence"]["span"]["end"] - 5


def test_claims_no_assertion_no_claim(nlp):
    assert claims_of(nlp, "The weather in Hyesan was pleasant and children played football.") == []


def test_claims_negation(nlp):
    (c,) = claims_of(nlp, "No trucks were allowed to cross at Hyesan last week.")
    assert c["negated"] is True


@pytest.mark.parametrize(
    ("text", "status", "source"),
    [
        ("A source in Yanggang Province told Daily NK that 30 trucks were smuggled in.", "reported", "Daily NK"),
        ("According to RFA, 30 trucks were smuggled into Hyesan.", "reported", "RFA"),
        ("Officials denied that 30 trucks were smuggled into Hyesan.", "denied", None),
        ("Border guards allegedly smuggled 30 trucks into Hyesan.", "alleged", None),
        ("Customs officers seized 30 trucks in Hyesan.", "asserted", None),
    ],
)
def test_claims_attribution_status(nlp, text, status, source):
    (c,) = claims_of(nlp, text)
    assert c["attribution"]["status"] == status
    assert c["attribution"]["source"] == source


def test_claims_sentence_selector_and_offsets(nlp):
    text = "Headline here\n\nCustoms officers seized 30 trucks in Hyesan. Nothing else happened."
    (c,) = claims_of(nlp, text)
    s = c["sentence"]
    assert text[s["start"] : s["end"]] == s["text"] == s["selector"]["exact"]
    assert text[: s["start"]].endswith(s["selector"]["prefix"])
    assert text[s["end"] :].startswith(s["selector"]["suffix"])
    for group in ("items", "locations", "agencies"):
        for m in c[group]:
            assert text[m["start"] : m["end"]] == m["text"]


def test_claims_seed_article(nlp, seed_text):
    claims = claims_of(nlp, seed_text)
    consignment = next(c for c in claims if c["quantity"] and c["quantity"]["text"] == "over 100")
    assert consignment["quantity"]["lower"] == 100 and consignment["quantity"]["lower_inclusive"] is False
    assert {i["class"] for i in consignment["items"]} == {"truck", "excavator", "car"}
    assert {i["origin"] for i in consignment["items"]} == {"CN"}
    places = {loc["canonical"]["id"] for loc in consignment["locations"]}
    assert {"KP-10-kimjongsuk", "KP-10-kimhyongjik", "KP-10"} <= places
    assert consignment["attribution"]["status"] == "reported"
    assert "it was reported" in consignment["attribution"]["text"]
    assert any(s["resolution"].startswith("2397") and s["paragraph"] == "7" for s in consignment["sanctions"])
    april = next(c for c in claims if c["quantity"] and c["quantity"]["text"] == "more than 200")
    assert (april["time"]["from"], april["time"]["to"]) == ("2025-04-01", "2025-04-20")
    bribe = next(c for c in claims if c["claim_type"] == "bribe")
    assert {a["canonical"]["id"] for a in bribe["agencies"]} == {"KP-CUSTOMS", "KP-MSS", "KP-MSOS"}
    assert {a["role"] for a in bribe["agencies"]} == {"recipient"}
    ban = next(c for c in claims if c["claim_type"] == "sanction" and c["agencies"])
    assert ban["agencies"][0]["canonical"]["id"] == "UN-SC"
    assert {i["class"] for i in ban["items"]} == {"vehicle", "heavy_equipment"}


def test_claims_rate_two_to_three_times_a_week(nlp):
    (c,) = claims_of(nlp, "Trucks cross the bridge two to three times a week, carrying flour to Sinuiju.")
    q = c["quantity"]
    assert (q["text"], q["lower"], q["upper"], q["value"], q["per"]) == ("two to three", 2, 3, None, "week")


@pytest.mark.parametrize(
    ("text", "published", "start", "end", "status"),
    [
        # January publication: a later month is last year's
        ("In December, 40 trucks were smuggled into Hyesan.", "2025-01-15", "2024-12-01", "2024-12-31", "asserted"),
        # "May" the month is not the modal "may"
        ("The second batch of 40 trucks was smuggled into Hyesan in May.", "2025-06-15", "2025-05-01", "2025-05-31", "asserted"),
        # since + relative: open-ended to the publication date (a leap day)
        ("Since last month, 40 trucks were smuggled into Hyesan.", "2024-02-29", "2024-01-01", "2024-02-29", "asserted"),
        # month end
        ("Last month 40 trucks were smuggled into Hyesan.", "2025-05-31", "2025-04-01", "2025-04-30", "asserted"),
    ],
)
def test_claims_time_and_status_pitfalls(nlp, text, published, start, end, status):
    (c,) = claims_of(nlp, text, published)
    assert (c["time"]["from"], c["time"]["to"]) == (start, end)
    assert c["attribution"]["status"] == status
    assert c["quantity"]["text"] == "40"  # "the second batch" is not a quantity


def test_claims_since_without_publication_date_stays_unresolved(nlp):
    (c,) = claims_of(nlp, "Since March, 40 trucks were smuggled into Hyesan.", None)
    assert c["time"]["resolved"] is False and c["time"]["from"] is None and c["time"]["anchored_to"] is None


def test_claims_resolution_number_is_neither_time_nor_quantity(nlp):
    (c,) = claims_of(nlp, "Resolution 2397 bans the supply of trucks to North Korea.", "2025-05-20")
    assert c["claim_type"] == "sanction"
    assert c["quantity"] is None and c["time"] is None
