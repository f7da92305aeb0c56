"""A render job: which document, with which options; where it runs is the engine's business.

One job, two engines. The local engine (pool.py: the service's processes, batch.py's) and the
Celery engine (distributed.py: workers on other machines) both call ``run_job(project_dir, job)``
on the same inputs, so they return the same bytes. A job travels as plain JSON (``as_dict`` and
``from_dict``), never pickled: a worker checks every field of what it takes off the broker.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from reports.errors import Location, Problem, ReportError
from reports.names import PAPERS, SCRIPTS, Paper, Script, is_id, is_week

# Documents (PDF), their HTML previews, and what the service reads before it renders.
DOCUMENTS = ("briefing", "handout", "weekly")
PREVIEWS = ("briefing-preview", "handout-preview", "weekly-preview")
KINDS = (*DOCUMENTS, *PREVIEWS, "catalog", "first-week")


@dataclass(frozen=True)
class Job:
    """The dates are the submitter's, resolved where the job was made: a worker on another machine,
    another day or with another SOURCE_DATE_EPOCH renders the same document."""

    kind: str  # one of KINDS
    classes: tuple[str, ...] = ()  # briefing: the classes; empty is every class
    class_id: str | None = None  # handout: its class
    script: Script | None = None  # briefing: zh-Hans or zh-Hant, or as written
    paper: Paper = "a4"  # handout
    marks: bool = False  # handout
    week: str | None = None  # weekly: YYYY-Www
    build_date: str | None = None  # YYYY-MM-DD printed in the document; a document needs it, or today
    today: str | None = None  # YYYY-MM-DD printed where build_date is None (a weekly preview: unless recorded)
    date_from: str | None = None  # where the date came from ("SOURCE_DATE_EPOCH", "today" ...): named if it is refused

    @property
    def is_weekly(self) -> bool:
        return self.kind in ("weekly", "weekly-preview")

    def as_dict(self) -> dict:
        return {**asdict(self), "classes": list(self.classes)}

    def canonical(self) -> str:
        """The job as one JSON text, the same for the same job: part of its result's key."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: object) -> "Job":
        """A job from JSON, every field checked: a malformed one is a ``ValueError``, never a render."""
        if not isinstance(data, dict) or set(data) - set(cls.__dataclass_fields__) or "kind" not in data:
            raise ValueError("a job is a mapping with kind and the fields of reports.run.jobs.Job")
        job = cls(**{**data, "classes": tuple(data.get("classes") or ())})
        problems = [
            job.kind not in KINDS,
            not all(is_id(name) for name in job.classes),
            job.class_id is not None and not is_id(job.class_id),
            job.script is not None and job.script not in SCRIPTS, job.paper not in PAPERS,
            not isinstance(job.marks, bool),
            job.week is not None and not is_week(job.week),
            job.build_date is not None and not _is_date(job.build_date),
            job.today is not None and not _is_date(job.today),
            job.date_from is not None and not (isinstance(job.date_from, str) and len(job.date_from) <= 100),
            job.kind in (*DOCUMENTS, *PREVIEWS) and job.build_date is None and job.today is None,
            job.kind in ("handout", "handout-preview") and job.class_id is None,
            job.is_weekly and job.week is None,
        ]
        if any(problems):
            raise ValueError(f"not a valid job: {job.canonical()[:300]}")
        return job


def _is_date(text: object) -> bool:
    try:
        dt.date.fromisoformat(text)  # type: ignore[arg-type]
        return True
    except (TypeError, ValueError):
        return False


def run_job(project_dir: Path | str, job: Job):
    """Do ``job`` on the project in ``project_dir``: a ``Rendered`` PDF, an HTML text, the catalog
    (a dict) or the first week (an ``IsoWeek`` or None). Raises ``ReportError`` for bad seeds."""
    from reports.documents.dating import IssueDate

    build_date = dt.date.fromisoformat(job.build_date) if job.build_date else None
    today = dt.date.fromisoformat(job.today) if job.today else None
    date = build_date or today  # what a document prints, but a weekly preview of a recorded week
    if job.kind in ("briefing", "briefing-preview"):
        from reports.documents.briefing import BriefingOptions, preview_briefing, render_briefing

        options = BriefingOptions(classes=list(job.classes), build_date=date, date_from=job.date_from,
                                  script=job.script)
        return render_briefing(project_dir, options) if job.kind == "briefing" else preview_briefing(project_dir, options)
    if job.kind in ("handout", "handout-preview"):
        from reports.documents.handout import HandoutOptions, preview_handout, render_handout

        options = HandoutOptions(paper=job.paper, marks=job.marks, build_date=date, date_from=job.date_from)
        render = render_handout if job.kind == "handout" else preview_handout
        return render(project_dir, job.class_id, options)
    if job.kind == "weekly":
        from reports.documents.weekly import IsoWeek, render_weekly

        return render_weekly(project_dir, IsoWeek.parse(job.week), IssueDate(date, job.date_from))
    if job.kind == "weekly-preview":
        from reports.documents.weekly import IsoWeek, preview_weekly

        return preview_weekly(project_dir, IsoWeek.parse(job.week), today=IssueDate(date, job.date_from),
                              build_date=build_date)
    if job.kind == "catalog":
        return catalog(project_dir)
    from reports.documents.weekly import first_week

    return first_week(project_dir)


# ---------------------------------------------------------------------------------------------
# Problems as plain data: a located error crosses the broker and arrives as it was raised.


def problems_as_data(problems: list[Problem]) -> list[dict]:
    return [{"path": p.location.path, "line": p.location.line, "column": p.location.column, "message": p.message}
            for p in problems]


def problems_from_data(data: list[dict]) -> list[Problem]:
    return [Problem(Location(str(item["path"]), int(item["line"]), int(item["column"])), str(item["message"]))
            for item in data]


def error_from_data(data: list[dict]) -> ReportError:
    return ReportError(problems_from_data(data))


def warm_up() -> None:
    """Run once in a new rendering process (service or batch worker) before its first render:
    the heavy imports, the fonts opened, the glyph coverage read (fc-list)."""
    import reports.documents.briefing  # noqa: F401
    import reports.render.context  # noqa: F401  (pydantic models, reportlab charts)
    from reports.render import engine
    from reports.render.fonts import installed_coverage

    engine.load().HTML(string=engine.warm_up_page()).render(font_config=engine.font_configuration())
    installed_coverage()


def catalog(project_dir: Path | str) -> dict:
    """The therapy classes and their studies as plain data (the service's /api/classes), read and verified."""
    # Here, like the documents above: a Celery worker's main process imports this module and reads no seeds.
    from reports.content.load import load_content
    from reports.content.project import Project

    content = load_content(Project.at(project_dir))
    return {
        "timezone": content.settings.timezone,
        "classes": [
            {
                **table.table.therapy_class.model_dump(mode="json"),
                "source": table.path.relative_to(content.project.root).as_posix(),
                "overview": table.table.overview.model_dump(mode="json"),
                "studies": [study.model_dump(mode="json") for study in table.table.studies],
                "landscape": table.table.landscape.model_dump(mode="json") if table.table.landscape else None,
            }
            for table in content.tables
        ],
        "excerpts_verified": content.excerpts_verified,
        "warnings": [str(warning) for warning in content.warnings],
    }
