"""A batch: every therapy class as a briefing and a handout, rendered on several cores at once.

WeasyPrint renders one document on one core, so a batch of documents is split across worker
processes (started with ``spawn``, as in the service: WeasyPrint must not be forked). The seeds
are read and verified once before any worker starts, every document is rendered in memory, and
only when all of them have succeeded are they written, all at once (``write_batch``), so a
failure writes nothing and the folder never holds some documents of one batch and some of another.

With the Celery engine the same jobs (reports.jobs) go to the reports workers of a broker instead
of local processes; the seeds are still checked here first, and the files written here. The batch
asks first whether any worker answers, and then follows each job until it is done: a document whose
worker was lost is waited for until it is given to another (distributed.CeleryEngine.wait).
"""

from __future__ import annotations

import datetime as dt
import errno
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from reports.content.evidence import evidence_paths
from reports.content.load import Content, load_content
from reports.content.project import Project
from reports.documents.base import BuildResult, Rendered
from reports.errors import ReportError
from reports.files import write_folder
from reports.names import Engine, Paper
from reports.run.dates import issue_date
from reports.run.jobs import Job, run_job, warm_up


@dataclass
class BatchOptions:
    jobs: int | None = None  # worker processes; default: every CPU this process may use
    output: Path | None = None  # the folder; default: <project>/build/batch/
    paper: Paper = "a4"  # the handouts' paper
    build_date: dt.date | None = None  # default: SOURCE_DATE_EPOCH, else today
    date_from: str | None = None  # where build_date came from ("--date" ...): named if it is refused
    engine: Engine = "local"  # local: processes here; celery: the reports workers of ``broker``
    broker: str | None = None  # redis://HOST:PORT/N, for the celery engine
    time_limit: float = 300.0  # celery: seconds one document may take on a worker


@dataclass(frozen=True)
class Document:
    kind: str  # briefing or handout
    class_id: str

    def file_name(self, paper: str) -> str:
        return f"{self.class_id}-briefing.pdf" if self.kind == "briefing" else f"{self.class_id}-handout-{paper}.pdf"

    def job(self, options: BatchOptions) -> Job:
        date = options.build_date.isoformat()  # filled by build_batch
        if self.kind == "briefing":
            return Job("briefing", classes=(self.class_id,), build_date=date, date_from=options.date_from)
        return Job("handout", class_id=self.class_id, paper=options.paper, build_date=date, date_from=options.date_from)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_document(project_dir: str, document: Document, options: BatchOptions) -> Rendered:
    return run_job(project_dir, document.job(options))


# Told each time a document has rendered (not yet written): how many have, of how many, and its file name.
Progress = Callable[[int, int, str], None]


def build_batch(project_dir: Path | str, options: BatchOptions, progress: Progress | None = None) -> list[BuildResult]:
    project = Project.at(project_dir)
    # The date is resolved once, here: every document of the batch, wherever it renders, prints the same.
    if options.build_date is None:
        issue = issue_date()
        options = replace(options, build_date=issue.day, date_from=issue.origin)
    options = replace(options, jobs=options.jobs or available_cores())
    root = str(project.root)
    if options.engine == "celery":
        documents, rendered = render_on_workers(project, options, progress)
    elif options.jobs == 1:
        documents = documents_of(load_content(project))
        rendered = []
        for document in documents:
            rendered.append(render_document(root, document, options))
            tell(progress, len(rendered), documents, document, options)
    else:
        # The workers start (imports, fonts: about a second each) while the seeds are read and
        # verified here; they render nothing until every problem has been reported.
        workers = max(1, min(options.jobs, 2 * len(evidence_paths(project.seeds))))  # a briefing and a handout each
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=warm_up) as pool:
            for _ in range(workers):
                pool.submit(int)  # starts the worker processes now, not at the first render
            documents = documents_of(load_content(project))
            futures: dict[Future, Document] = {pool.submit(render_document, root, document, options): document
                                               for document in documents}
            for done, future in enumerate(as_completed(futures), 1):
                future.result()  # a document that failed fails the batch: nothing is written
                tell(progress, done, documents, futures[future], options)
            rendered = [future.result() for future in futures]  # in the documents' order
    return write_batch(project, documents, rendered, options)


def tell(progress: Progress | None, done: int, documents: list[Document], document: Document,
         options: BatchOptions) -> None:
    if progress is not None:
        progress(done, len(documents), document.file_name(options.paper))


def render_on_workers(project: Project, options: BatchOptions,
                      progress: Progress | None = None) -> tuple[list[Document], list[Rendered]]:
    """Every document as a job for the reports workers of the broker: all submitted, then all awaited."""
    from reports.run.distributed import CeleryEngine, JobFailed, check_broker

    check_broker(options.broker)  # before reading anything: an unreachable broker is named at once
    engine = CeleryEngine(options.broker)
    try:
        engine.require_workers()  # and a broker no worker consumes: nothing is queued that nobody would take
    except JobFailed as error:
        raise ReportError(error.message) from None
    documents = documents_of(load_content(project))
    tickets = [engine.submit(project, document.job(options), options.time_limit) for document in documents]
    rendered = []
    for document, ticket in zip(documents, tickets):
        try:
            rendered.append(engine.wait(ticket).value)
        except JobFailed as error:
            raise ReportError(f"{document.file_name(options.paper)}: {error.message}; nothing was written") from None
        tell(progress, len(rendered), documents, document, options)  # awaited in order: told in order
    return documents, rendered


def documents_of(content: Content) -> list[Document]:
    # Briefings first: the longest renders start first, so the workers finish close together.
    return [Document(kind, table.table.therapy_class.id) for kind in ("briefing", "handout")
            for table in content.tables]


def write_batch(project: Project, documents: list[Document], rendered: list[Rendered],
                 options: BatchOptions) -> list[BuildResult]:
    """Every document into the batch's folder at once, or none (reports.files.write_folder): a
    reader of the folder sees the previous batch or this one, never some of each, and a failure
    while writing (a full disk) leaves the previous batch as it was. Other files in the folder
    (another paper's handouts, a class no longer in the seeds) stay."""
    folder = (options.output or project.build / "batch").absolute()
    names = [document.file_name(options.paper) for document in documents]
    existed = folder.is_dir()
    try:
        write_folder(folder, {name: result.pdf for name, result in zip(names, rendered)})
    except OSError as error:
        raise ReportError(f"{folder}: cannot write the batch: {error.strerror}; "
                          + (f"nothing in {folder} has changed (the documents there are the previous batch's)"
                             if existed else f"{folder} was not made")
                          + ("; free some space or choose another folder with -o"
                             if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else
                             "; choose another folder with -o")) from None
    return [BuildResult(folder / name, None, result.pages, result.warnings) for name, result in zip(names, rendered)]
