"""Rendering never reaches the network nor reads files outside the project."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers.pdf import pdftotext
from helpers.projects import write_project
from weasyprint.urls import URLFetchingError

from reports.documents.briefing import BriefingOptions, build_briefing
from reports.render.pdf import ProjectURLFetcher


@pytest.fixture
def fetcher(project: Path) -> ProjectURLFetcher:
    return ProjectURLFetcher([project / "seeds", project / "styles"])


@pytest.mark.parametrize("url", [
    "http://example.org/style.css",
    "https://example.org/font.woff2",
    "ftp://example.org/x",
    "file:///etc/passwd",
    "file://otherhost/etc/passwd",
])
def test_the_fetcher_refuses_the_network_and_outside_files(fetcher: ProjectURLFetcher, url: str):
    with pytest.raises(URLFetchingError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_refuses_paths_that_climb_out_of_the_project(fetcher: ProjectURLFetcher, project: Path):
    (project.parent / "secret.txt").write_text("secret")
    with pytest.raises(URLFetchingError):
        fetcher.fetch(f"file://{project}/seeds/../../secret.txt")
    with pytest.raises(URLFetchingError):
        fetcher.fetch(f"file://{project}/seeds/%2e%2e/%2e%2e/secret.txt")


def test_the_fetcher_reads_files_inside_the_project(fetcher: ProjectURLFetcher, project: Path):
    response = fetcher.fetch((project / "seeds" / "articles.yaml").as_uri())
    assert b"demo.md" in response.read()


@pytest.mark.render
def test_a_hostile_stylesheet_cannot_pull_in_outside_files_or_the_network(project: Path, tmp_path: Path):
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "LEAKED-SECRET"; }')
    write_project(project, {"styles/briefing.css": (
        f'@import url("{secret.as_uri()}");\n'
        '@import url("http://example.org/remote.css");\n'
        'body { background: url("file:///etc/passwd"); }\n'
    )})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    assert "LEAKED-SECRET" not in pdftotext(result.pdf)
    # Each refusal at the line that asks for it, naming what the line writes (tests/render/test_stylesheet_warnings.py).
    refused = {str(warning.location): warning.message.split(": rendering")[0] for warning in result.warnings}
    assert refused == {"styles/briefing.css:1:14": f"refused to read {secret.as_uri()}",
                       "styles/briefing.css:2:14": "refused to fetch http://example.org/remote.css",
                       "styles/briefing.css:3:25": "refused to read file:///etc/passwd"}
