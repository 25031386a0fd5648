"""reconcile export claimreview: schema.org ClaimReview JSON-LD, checked against the vocabulary."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.report.claimreview import PROPERTIES_USED, TYPES_USED

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"
# An extract of the schema.org vocabulary: no network in the tests.
VOCAB = json.loads((ROOT / "tests" / "data" / "schemaorg_vocabulary.json")
                   .read_text(encoding="utf-8"))

REVIEW = """target,verdict,reviewer,reason,date
e0d766f81529bc8d1,note,Ana,checked with the port authority,2025-03-05
e41ba70f9eae60994,note,Ben,police figure confirmed,2025-08-06
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("claimreview")
    (root / "review.csv").write_text(REVIEW, encoding="utf-8")
    result = invoke("run", str(EXAMPLE), "-o", str(root / "out"), "-q", "--no-report",
                    "--review", str(root / "review.csv"))
    assert result.exit_code == 0, result.output
    return root / "out"


@pytest.fixture(scope="module")
def doc(run) -> dict[str, Any]:
    result = invoke("export", "claimreview", str(run))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 2 ClaimReviews to {run / 'claimreview.jsonld'}\n"
    return json.loads((run / "claimreview.jsonld").read_text(encoding="utf-8"))


def nodes(value: Any) -> list[dict[str, Any]]:
    """Every JSON object with an @type, at any depth."""
    out: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if "@type" in value:
            out.append(value)
        for v in value.values():
            out += nodes(v)
    elif isinstance(value, list):
        for v in value:
            out += nodes(v)
    return out


def test_json_ld_structure(doc):
    assert doc["@context"] == "https://schema.org"
    assert set(doc) == {"@context", "@graph"}
    assert [n["@type"] for n in doc["@graph"]] == ["ClaimReview", "ClaimReview"]
    for node in nodes(doc):
        assert isinstance(node["@type"], str)
        assert all(k.startswith("@") is False or k == "@type" for k in node)


def test_every_type_and_property_is_in_the_vocabulary(doc):
    """Each @type is a schema.org type; each property is used on the node's type or a
    type it inherits from (the schema.org domain)."""
    types, props = VOCAB["types"], VOCAB["properties"]
    for node in nodes(doc):
        kind = node["@type"]
        assert kind in types, kind
        lineage = {kind, *types[kind]}
        for prop in node:
            if prop == "@type":
                continue
            assert prop in props, prop
            assert lineage & set(props[prop]), f"{prop} is not a property of {kind}"
    # and the module's own list of terms is within the vocabulary
    assert set(TYPES_USED) <= set(types)
    assert set(PROPERTIES_USED) <= set(props)
    used = {p for n in nodes(doc) for p in n if p != "@type"}
    assert used <= set(PROPERTIES_USED)


def test_ferry_review(doc):
    review = next(n for n in doc["@graph"] if n["identifier"] == "e0d766f81529bc8d1")
    # the range is the event's row of the example's run (tests/golden/events.csv)
    golden = csv.DictReader((Path(__file__).parent / "golden" / "events.csv").open(
        encoding="utf-8"))
    row = next(r for r in golden if r["event_id"] == "e0d766f81529bc8d1")
    assert review["about"] == {"@type": "QuantitativeValue", "unitText": "people killed",
                               "minValue": int(row["low"]), "value": int(row["best"]),
                               "maxValue": int(row["high"])}
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert len(claim["appearance"]) == 5
    first = claim["firstAppearance"]
    assert first["datePublished"] == "2025-03-02T08:00:00"
    assert first["text"] == "Twelve bodies were recovered by morning."
    assert first["publisher"] == {"@type": "Organization", "name": "Example Wire"}
    assert all(a["datePublished"] >= first["datePublished"] for a in claim["appearance"])
    assert review["reviewRating"]["alternateName"].startswith("note by Ana, 2025-03-05")
    assert review["author"] == [{"@type": "Person", "name": "Ana"}]
    assert review["datePublished"] == "2025-03-05"
    assert "Port authority '34'" in review["claimReviewed"]


def test_output_option_atomic_and_no_reviews(run, tmp_path):
    target = tmp_path / "sub" / "cr.jsonld"
    result = invoke("export", "claimreview", str(run), "-o", str(target), "-q")
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(target.read_text(encoding="utf-8"))["@graph"]
    assert [p.name for p in target.parent.iterdir()] == ["cr.jsonld"]  # no temporary file left
    plain = tmp_path / "plain"
    assert invoke("run", str(EXAMPLE), "-o", str(plain), "-q", "--no-report").exit_code == 0
    result = invoke("export", "claimreview", str(plain))
    assert result.output.startswith("wrote 0 ClaimReviews")
    assert json.loads((plain / "claimreview.jsonld").read_text())["@graph"] == []


def test_not_a_run_folder(tmp_path):
    result = CliRunner().invoke(main, ["export", "claimreview", str(tmp_path)])
    assert result.exit_code == 1 and "no events table here" in result.output
