"""The Atom feed of the published weeklies: valid Atom 1.0, an entry per week produced, each linking its
PDF under base_url or relative to the feed, never by the request's Host header."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers.projects import ROOT
from helpers.servers import loopback_port, stop_group

from reports.content.project import Project
from reports.content.settings import Settings
from reports.run.feed import weekly_feed

ATOM = "{http://www.w3.org/2005/Atom}"


def published_project(folder: Path, seed_weeks, settings: str = "") -> Path:
    made = seed_weeks("2026-W47").pdf.parents[3]
    shutil.copytree(made / "seeds", folder / "seeds")
    shutil.copytree(made / "build/weekly/2026-W47", folder / "build/weekly/2026-W47")
    (folder / "build/weekly/2026-W48").mkdir()  # a week being written: no manifest yet, not published
    (folder / "seeds/project.yaml").write_text((ROOT / "seeds/project.yaml").read_text() + settings)
    return folder


def required(element: ElementTree.Element, *names: str) -> None:
    for name in names:
        found = element.find(f"{ATOM}{name}")
        assert found is not None and (found.text or found.attrib or len(found)), f"<{name}> missing in <{element.tag}>"


def test_the_feed_is_atom_with_one_entry_per_published_week_linking_its_pdf(tmp_path: Path, seed_weeks):
    project = published_project(tmp_path / "p", seed_weeks)
    feed = ElementTree.fromstring(weekly_feed(Project.at(project), Settings(), "0123456789abcdef"))
    assert feed.tag == f"{ATOM}feed"
    required(feed, "id", "title", "updated", "author")
    assert feed.find(f"{ATOM}id").text.startswith("urn:uuid:")
    (entry,) = feed.findall(f"{ATOM}entry")
    required(entry, "id", "title", "updated", "link", "summary")
    assert entry.find(f"{ATOM}title").text == "CAR 细胞疗法证据周报 2026-W47"
    link = entry.find(f"{ATOM}link")
    assert link.attrib == {"rel": "alternate", "type": "application/pdf", "href": "2026-W47.pdf"}
    assert "HEROS 2.0" in entry.find(f"{ATOM}summary").text
    assert feed.find(f"{ATOM}updated").text == entry.find(f"{ATOM}updated").text


@pytest.mark.server
def test_the_service_serves_the_feed_with_links_under_base_url_whatever_the_host_header(tmp_path: Path, seed_weeks):
    project = published_project(tmp_path / "p", seed_weeks, "base_url: https://briefings.example.org\n")
    port = loopback_port()
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "reports", "--project", str(project), "serve", "--port",
                                   str(port), "--workers", "1"], stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/weekly/feed.xml", headers={"Host": "evil.example.net"})
                response = connection.getresponse()
                body = response.read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        assert response.status == 200 and response.getheader("Content-Type").startswith("application/atom+xml")
        feed = ElementTree.fromstring(body)
        hrefs = [link.attrib["href"] for link in feed.iter(f"{ATOM}link")]
        assert hrefs == ["https://briefings.example.org/weekly/feed.xml",
                         "https://briefings.example.org/weekly/2026-W47.pdf"]
        assert b"evil.example.net" not in body
    finally:
        stop_group(server)
