"""How long `reports draft` takes on one article, by the article's length.

Run it from the project folder, on demand (a benchmark: it prints figures, it fails on nothing):

    .venv/bin/python benchmarks/draft.py            # 5 timed runs per article
    .venv/bin/python benchmarks/draft.py --runs 20

The articles are the draft corpus's (tests/curate/draft_corpus/): the four with expected rows and
long-report.md, about 10,000 characters. Each is added to a copy of the shipped seeds, then drafted
in this process (``draft_article``: reading the index and the article, the draft, the YAML), after
one untimed run that loads the lexicon and OpenCC. The target of issue 23: under 1 s for 10,000
characters. The CLI's own start (Python, imports) comes on top: ``time reports draft …`` shows it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.content.project import Project  # noqa: E402
from reports.curate.draft import draft_article  # noqa: E402

CORPUS = ROOT / "tests/curate/draft_corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        shutil.copytree(ROOT / "seeds", project / "seeds")
        index = project / "seeds/articles.yaml"
        known = yaml.safe_load((CORPUS / "classes.yaml").read_text(encoding="utf-8"))
        articles = sorted(path for path in CORPUS.glob("*.md") if path.name != "README.md")
        entries = [{"file": path.name, **known.get(path.stem, {}).get("index", {"outlet": "基准测试"})}
                   for path in articles]
        lines = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False).splitlines()
        index.write_text(index.read_text(encoding="utf-8") + "\n" + "\n".join(f"  {line}" for line in lines) + "\n",
                         encoding="utf-8")
        for path in articles:
            shutil.copy(path, project / "seeds/articles")
        print(f"{'article':44} {'chars':>6} {'median':>8} {'min':>8} {'max':>8}  (ms, {runs} runs)")
        for path in articles:
            given = project / "seeds/articles" / path.name
            draft_article(Project.at(project), given, "car-t", dt.date(2026, 12, 3))  # warm: lexicon, OpenCC
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                draft_article(Project.at(project), given, "car-t", dt.date(2026, 12, 3))
                times.append((time.perf_counter() - start) * 1000)
            chars = len(path.read_text(encoding="utf-8"))
            print(f"{path.stem:44} {chars:6d} {statistics.median(times):8.1f} {min(times):8.1f} {max(times):8.1f}")


if __name__ == "__main__":
    main()
