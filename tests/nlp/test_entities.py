from __future__ import annotations

import pytest

from tests.conftest import ents


@pytest.mark.parametrize(
    ("text", "label", "span", "canonical"),
    [
        ("Trucks crossed in Ryanggang Province last week.", "PROVINCE", "Ryanggang Province", "KP-10"),
        ("Traders in Yanggang Province said so.", "PROVINCE", "Yanggang Province", "KP-10"),
        ("A source in Yangkang told us.", "PROVINCE", "Yangkang", "KP-10"),
        ("Officials in North Hamgyong Province agreed.", "PROVINCE", "North Hamgyong Province", "KP-09"),
        ("Officials in North Hamgyeong agreed.", "PROVINCE", "North Hamgyeong", "KP-09"),
        ("Officials in North Hamkyong Province agreed.", "PROVINCE", "North Hamkyong Province", "KP-09"),
        ("The goods reached Kimjongsuk County on Monday.", "COUNTY", "Kimjongsuk County", "KP-10-kimjongsuk"),
        ("The goods reached Sinpa on Monday.", "COUNTY", "Sinpa", "KP-10-kimjongsuk"),
        ("The goods reached Huchang on Monday.", "COUNTY", "Huchang", "KP-10-kimhyongjik"),
        ("Smugglers in Sinŭiju were arrested.", "COUNTY", "Sinŭiju", "KP-03-sinuiju"),
        ("Smugglers in Hyesan-si were arrested.", "COUNTY", "Hyesan-si", "KP-10-hyesan"),
        ("A trader in Musan-gun said prices rose.", "COUNTY", "Musan-gun", "KP-09-musan"),
        ("Goods were shipped to Dandong by rail.", "PLACE", "Dandong", "CN-dandong"),
        ("Bribes went to State Security Department agents.", "AGENCY", "State Security Department agents", "KP-MSS"),
        ("The bowibu arrested him.", "AGENCY", "bowibu", "KP-MSS"),
        ("The Ministry of Social Security issued an order.", "AGENCY", "Ministry of Social Security", "KP-MSOS"),
        ("The Ministry of Public Security issued an order.", "AGENCY", "Ministry of Public Security", "KP-MSOS"),
        ("Goods are checked by Chinese customs.", "AGENCY", "Chinese customs", "CN-CUSTOMS"),
        ("The 1718 Committee met.", "AGENCY", "1718 Committee", "UN-1718"),
        ("They bought Dongfeng cargo trucks.", "VEHICLE", "Dongfeng cargo trucks", "truck"),
        ("Two Land Cruisers arrived.", "VEHICLE", "Land Cruisers", "car"),
    ],
)
def test_entities_match_and_link(nlp, text, label, span, canonical):
    assert (label, span, canonical) in ents(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "Residents marked the birthday of Kim Jong Suk with flowers.",
        "Fishermen worked along the Taedong River.",
        "Car smugglers were caught and truck traffic stopped.",
        "Pyongyang denied the report.",
    ],
)
def test_entities_hard_negatives(nlp, text):
    found = ents(nlp, text)
    assert not [e for e in found if e[0] in ("COUNTY", "VEHICLE")], found


def test_entities_vehicle_span_drops_adjectives_and_keeps_origin(nlp):
    doc = nlp("Over 100 large Chinese-made trucks, excavators, and sedans crossed.")
    vehicles = [(e.text, e._.newsclaims["origin"]) for e in doc.ents if e.label_ == "VEHICLE"]
    assert vehicles == [("trucks", "CN"), ("excavators", "CN"), ("sedans", "CN")]


def test_entities_county_carries_admin_level_and_parent(nlp):
    doc = nlp("Crossing points in Kimjongsuk and Kimhyongjik counties were busy.")
    counties = [e for e in doc.ents if e.label_ == "COUNTY"]
    assert [e.text for e in counties] == ["Kimjongsuk", "Kimhyongjik"]
    assert all(e._.newsclaims["parent"] == "KP-10" for e in counties)


def test_entities_rules_win_over_existing_entities(nlp):
    import spacy
    from spacy.tokens import Span

    doc = nlp.make_doc("Trucks reached Hyesan yesterday.")
    doc.ents = [Span(doc, 2, 3, label="PERSON")]
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    assert [(e.label_, e.text) for e in doc.ents if e.text == "Hyesan"] == [("COUNTY", "Hyesan")]
    assert spacy  # imported for the Span machinery
