"""A tiny valid project, written into a folder; the repository's root and the fixed build date."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXED_DATE = "2026-12-01"

ARTICLE = """\
---
title: "示例：CAR-X 细胞疗法一期试验结果公布"
date: "2025-03-01"
lang: zh-CN
---

研究团队在 *Example Journal* 上发表了一项 I 期[临床试验](https://example.org/trial)结果。

在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。

![](https://example.org/figure.png)
"""

INDEX = """\
articles:
  - file: demo.md
    outlet: 示例新闻网
    url: https://example.org/news/1
"""

EVIDENCE = """\
class:
  id: car-x
  name: CAR-X 细胞疗法
  name_en: CAR-X cell therapy
overview:
  mechanism: 示例机制。
  status: 示例现状。
studies:
  - id: demo-phase-1
    title: 示例 I 期试验
    product: DEMO-1
    targets: [CD19]
    cell_source: autologous
    indication: 淋巴瘤
    population: 接受治疗的患者
    design:
      study_type: interventional
      allocation: not-reported
      intervention_model: not-reported
      masking: not-reported
      summary: I 期临床试验
    phase: phase-1
    registry_ids: [NCT01234567]
    intervention: 单次静脉输注
    enrollment:
      treated: 12
      excerpts: [demo-safety]
    outcomes:
      - name: 部分缓解（PR）
        measure: proportion
        unit: "%"
        value: 42
        n: 5
        of: 12
        excerpts: [demo-safety]
    adverse_events:
      - term: 剂量限制性毒性（DLT）
        kind: dlt
        grading: {system: not-reported}
        patients: 0
        of: 12
        summary: 未观察到
        excerpts: [demo-safety]
    source:
      journal: Example Journal
      doi: 10.1234/example.5678
      published: 2025-02-28
      # The demo article names the journal only: the rest is declared (printed with ‡).
      supplied:
        - {field: doi, value: 10.1234/example.5678, record: "the journal's page (a made-up record)", checked: 2026-01-10}
        - {field: published, value: 2025-02-28, record: "the journal's page (a made-up record)", checked: 2026-01-10}
        - {field: registry_ids, value: NCT01234567, record: "ClinicalTrials.gov (a made-up record)", checked: 2026-01-10}
    certainty:
      cebm_level: 4
      grade: very-low
      rated_down:
        - domain: imprecision
          levels: 2
          reason: 样本量小
    excerpts:
      - id: demo-design
        article: demo
        text: 发表了一项 I 期临床试验结果。
      - id: demo-safety
        article: demo
        text: 在 12 名接受治疗的患者中，未观察到剂量限制性毒性（DLT）。5 名患者（42%）达到部分缓解。
        key: true
    added: 2026-11-21
"""


def write_project(folder: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """A minimal valid project; ``files`` replaces (or with None, removes) files by relative path."""
    contents: dict[str, str | bytes | None] = {
        "seeds/articles/demo.md": ARTICLE,
        "seeds/articles.yaml": INDEX,
        "seeds/evidence/car-x.yaml": EVIDENCE,
    }
    contents.update(files or {})
    for relative, text in contents.items():
        path = folder / relative
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith(" ") else text, encoding="utf-8")
    return folder
