"""The parsed model of the shipped seeds, as a golden file (pytest-regressions)."""

from __future__ import annotations

from pathlib import Path

from reports.content.load import load_content
from reports.content.project import Project

ROOT = Path(__file__).resolve().parents[2]


def test_the_seed_model_is_stable(data_regression):
    content = load_content(Project.at(ROOT))
    data_regression.check({
        "articles": {
            article.id: {
                "title": article.title,
                "lang": article.lang,
                "published": article.published.iso() if article.published else None,
                "outlet": article.outlet,
                "url": article.url,
                "paragraphs": len(article.blocks),
                "links": [link.url for link in article.links],
                "figures_omitted": article.figures_omitted,
            }
            for article in content.articles.values()
        },
        "tables": [file.table.model_dump(mode="json", by_alias=True, exclude_none=True) for file in content.tables],
        "excerpts_verified": content.excerpts_verified,
    })


def test_every_study_the_articles_report_is_in_the_tables():
    content = load_content(Project.at(ROOT))
    by_class = {f.table.therapy_class.id: f.table for f in content.tables}
    assert set(by_class) == {"car-t", "car-nk", "car-m"}
    products = {study.id: study for table in by_class.values() for study in table.studies}
    registry = {rid for study in products.values() for rid in study.registry_ids}
    assert "NCT06010472" in registry
    assert any("CT-0508" in s.product for s in by_class["car-m"].studies)
    assert any("HER2" in s.targets for s in by_class["car-t"].studies)
    assert any("GD2" in s.targets for s in by_class["car-t"].studies)
    assert any("CD19" in s.targets for s in by_class["car-nk"].studies)
    landscape = by_class["car-t"].landscape
    assert landscape is not None and landscape.trials.value == 1580
    # every study is uncontrolled (OCEBM 4, GRADE starts low) and rated down, each step with its reason
    for study in products.values():
        assert (study.cebm_level, study.grade) == (4, "very-low")
        assert study.certainty.rated_down


def test_a_charted_series_needs_a_value_for_every_item():
    import pytest
    from pydantic import ValidationError

    from reports.content.model import LandscapeSeries

    series = {"id": "s", "title": "靶点", "denominator": "全部", "chart": True, "items": [
        {"label": "CD19", "value": 54.41, "unit": "%", "excerpts": ["a"]},
        {"label": "其他", "n": 3, "excerpts": ["a"]},
    ]}
    with pytest.raises(ValidationError, match="chart: true needs a value for every item; 其他 has none"):
        LandscapeSeries.model_validate(series)
    series["chart"] = False
    assert LandscapeSeries.model_validate(series).items[1].n == 3
