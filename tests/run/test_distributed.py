"""The Celery engine: jobs, content snapshots, and real workers on a real redis-server.

The first tests need no Redis (jobs as JSON, snapshots, unreachable brokers, the local path
without Celery); the rest use the session's ``celery_cluster`` (tests/conftest.py): a
redis-server on a loopback port and two ``reports worker`` processes. Two start a redis-server of
their own (a lost worker, no worker at all): they wait on real timeouts, and out of the cluster's
group (tests/helpers/scheduling.py) that wait overlaps the other tests instead of lengthening the
cluster's chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from helpers.cli import reports as in_process  # in this process: tests/helpers/cli.py
from helpers.pdf import pdftotext
from helpers.projects import EVIDENCE, ROOT, write_project
from helpers.servers import (
    CeleryCluster,
    loopback_port,
    start_redis_server,
    start_worker,
    stop_group,
)

from reports.content.load import load_content
from reports.content.project import Project
from reports.errors import ReportError
from reports.run.jobs import Job, run_job
from reports.run.snapshot import UnsafeSnapshot, pack, snapshot_files, unpack


def reports(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``reports ARGS`` as a process of its own."""
    return subprocess.run([sys.executable, "-m", "reports", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def seed_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    return folder


def class_copy(folder: Path, class_id: str) -> Path:
    """The seeds with one therapy class alone: a batch of two documents of seed length, not six."""
    seed_copy(folder)
    for table in (folder / "seeds/evidence").glob("*.yaml"):
        if table.stem != class_id:
            table.unlink()
    return folder


def car_t_copy(folder: Path) -> Path:
    """The seeds with the CAR-T class alone, the longest: its briefing renders for about a second."""
    return class_copy(folder, "car-t")


# ---------------------------------------------------------------------------------------------
# Jobs and snapshots.


def test_a_job_travels_as_json_and_a_malformed_one_is_refused():
    job = Job("handout", class_id="car-t", paper="a5", marks=True, build_date="2026-12-01")
    assert Job.from_dict(job.as_dict()) == job
    assert job.canonical() == Job.from_dict(job.as_dict()).canonical()
    for bad in [{"kind": "shell", "week": None}, {"kind": "handout"}, {"kind": "briefing", "classes": ["../x"]},
                {"kind": "handout", "class_id": "car-t", "paper": "b5"}, {"kind": "weekly", "week": "2026-46"},
                {"kind": "briefing", "build_date": "tomorrow"}, {"kind": "briefing", "path": "/etc"}, ["briefing"]]:
        with pytest.raises(ValueError):
            Job.from_dict(bad)


def test_a_snapshot_is_named_by_its_content(project: Path):
    (project / "build").mkdir()
    (project / "build/briefing.pdf").write_bytes(b"%PDF- not an input")
    files = snapshot_files(Project.at(project))
    assert sorted(files) == ["seeds/articles.yaml", "seeds/articles/demo.md", "seeds/evidence/car-x.yaml"]
    first, again = pack(files), pack(snapshot_files(Project.at(project)))
    assert first.id == again.id == hashlib.sha256(first.data).hexdigest() and first.data == again.data
    os.utime(project / "seeds/articles.yaml", (0, 0))  # times are not content
    assert pack(snapshot_files(Project.at(project))).id == first.id
    evidence = project / "seeds/evidence/car-x.yaml"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace("示例现状。", "现状已更新。"), encoding="utf-8")
    assert pack(snapshot_files(Project.at(project))).id != first.id


@pytest.mark.render
def test_a_snapshot_unpacks_to_the_same_documents(project: Path, tmp_path: Path):
    snapshot = pack(snapshot_files(Project.at(project)))
    folder = unpack(snapshot.id, snapshot.data, tmp_path / "cache")
    assert folder == tmp_path / "cache" / snapshot.id
    assert (folder / "seeds/evidence/car-x.yaml").read_bytes() == (project / "seeds/evidence/car-x.yaml").read_bytes()
    job = Job("handout", class_id="car-x", build_date="2026-12-01")
    assert run_job(folder, job).pdf == run_job(project, job).pdf
    assert unpack(snapshot.id, b"", tmp_path / "cache") == folder  # there already: the bytes are not needed


def archive(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize("members, refused", [
    ([(member("seeds/../../escaped.md"), b"x")], "a member named"),
    ([(member("/etc/cron.d/x"), b"x")], "a member named"),
    ([(member("home/user/.bashrc"), b"x")], "a member named"),
    ([(member("seeds/articles/x.md", tarfile.SYMTYPE, "/etc/passwd"), b"")], "not a regular file"),
    ([(member("seeds/a.md"), b"x"), (member("seeds/b.md", tarfile.LNKTYPE, "seeds/a.md"), b"")], "not a regular file"),
    ([(member("seeds/dev", tarfile.CHRTYPE), b"")], "not a regular file"),
    ([(member("seeds/a.md"), b"x"), (member("seeds/a.md/b.md"), b"y")], "both a file and a folder"),
])
def test_unpacking_refuses_anything_but_plain_files_under_the_input_folders(tmp_path: Path, members, refused):
    data = archive(*members)
    with pytest.raises(UnsafeSnapshot, match=refused):
        unpack(hashlib.sha256(data).hexdigest(), data, tmp_path / "cache")
    assert not (tmp_path / "escaped.md").exists()
    assert [path.name for path in (tmp_path / "cache").iterdir()] == []  # nothing half-unpacked left


def test_unpacked_files_carry_their_bytes_only_not_the_archives_modes(tmp_path: Path):
    setuid = member("seeds/articles/a.md")
    setuid.mode, setuid.uid, setuid.gid = 0o6777, 4242, 4242
    data = archive((setuid, "正文".encode()))
    folder = unpack(hashlib.sha256(data).hexdigest(), data, tmp_path / "cache")
    unpacked = folder / "seeds/articles/a.md"
    assert unpacked.read_text(encoding="utf-8") == "正文"
    assert unpacked.stat().st_mode & 0o7111 == 0 and unpacked.stat().st_uid == os.getuid()


def test_unpacking_refuses_bytes_that_do_not_hash_to_the_name_and_oversized_archives(tmp_path: Path, monkeypatch):
    data = archive((member("seeds/a.md"), b"x" * 1000))
    with pytest.raises(UnsafeSnapshot, match="do not hash to its name"):
        unpack("0" * 64, data, tmp_path / "cache")
    monkeypatch.setattr("reports.run.snapshot.MAX_BYTES", 999)
    with pytest.raises(UnsafeSnapshot, match="over"):
        unpack(hashlib.sha256(data).hexdigest(), data, tmp_path / "cache")


def test_a_link_out_of_the_project_is_refused_before_anything_is_packed(project: Path, tmp_path: Path):
    (tmp_path / "secret.md").write_text("secret", encoding="utf-8")
    (project / "seeds/articles/notes.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(ReportError) as raised:
        snapshot_files(Project.at(project))
    assert str(raised.value.problems[0]).startswith("seeds/articles/notes.md:1:1: this symbolic link points outside")


# ---------------------------------------------------------------------------------------------
# Brokers that are wrong or away: one line naming the broker, exit status non-zero, no hang.


@pytest.mark.parametrize("command", [
    ["batch", "--engine", "celery"], ["worker"], ["serve", "--engine", "celery", "--port", str(loopback_port())],
])
def test_an_unreachable_broker_is_one_line_naming_it(project: Path, command: list[str]):
    broker = f"redis://127.0.0.1:{loopback_port()}/3"  # a free port: nothing listens there
    started = time.monotonic()
    result = reports("--project", str(project), *command, "--broker", broker, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"reports: cannot reach the broker {broker}: "), result.stderr
    assert "Connection refused; start Redis there, or give the right one with --broker" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30
    assert not (project / "build").exists()


def test_the_broker_comes_from_the_option_the_environment_or_the_project_settings(tmp_path: Path):
    port = loopback_port()
    project = write_project(tmp_path / "p", {"seeds/project.yaml": f"broker: redis://127.0.0.1:{port}/5\n"})
    from_settings = in_process("--project", str(project), "batch", "--engine", "celery")
    assert f"cannot reach the broker redis://127.0.0.1:{port}/5:" in from_settings.stderr
    from_environment = in_process("--project", str(project), "batch", env={
        "REPORTS_ENGINE": "celery", "REPORTS_BROKER": f"redis://:hunter2@127.0.0.1:{port}/6"})
    assert f"cannot reach the broker redis://:***@127.0.0.1:{port}/6:" in from_environment.stderr
    assert "hunter2" not in from_environment.stderr  # a password is never printed


def test_a_broker_in_the_project_settings_is_a_known_key(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": "broker: redis://:secret@127.0.0.1:6379/0\n"})
    result = in_process("--project", str(project), "check")
    assert result.returncode == 0, result.stderr
    assert "broker" not in result.stderr and "secret" not in result.stdout + result.stderr


def test_a_malformed_broker_url_is_refused_with_where_it_was_given(tmp_path: Path):
    given = in_process("--project", str(write_project(tmp_path / "a")), "batch", "--engine", "celery",
                       "--broker", "http://127.0.0.1:6379")
    assert given.returncode == 2
    assert "Invalid value for '--broker': 'http://127.0.0.1:6379' is not a Redis URL; write it like " \
           "redis://HOST:6379/0" in given.stderr
    project = write_project(tmp_path / "b", {"seeds/project.yaml": "title: 示例\nbroker: redis://host:port/x\n"})
    located = in_process("--project", str(project), "batch", "--engine", "celery")
    assert located.returncode == 1
    assert located.stderr.startswith("seeds/project.yaml:2:9: broker: 'redis://host:port/x' is not a Redis URL")
    missing = in_process("--project", str(write_project(tmp_path / "c")), "batch", "--engine", "celery",
                         env={"REPORTS_BROKER": ""})
    assert missing.returncode == 2 and "--engine celery needs a broker: give --broker" in missing.stderr
    for result in (given, located, missing):
        assert "Traceback" not in result.stderr


def test_a_worker_refuses_to_redeliver_a_job_that_may_still_be_rendering(project: Path):
    result = in_process("--project", str(project), "worker", "--broker", "redis://127.0.0.1:6379/0",
                        "--time-limit", "120", "--redeliver-after", "60")
    assert result.returncode == 1
    assert result.stderr.startswith("reports: --redeliver-after 60 must be longer than --time-limit 120: a job still "
                                    "rendering would be given to a second worker")


@pytest.mark.render
def test_the_local_engine_imports_neither_celery_nor_redis(project: Path, tmp_path: Path):
    script = ("import sys\nfrom reports.cli import main\nimport reports.run.service\n"
              "sys.argv = ['reports', '--project', sys.argv[1], 'batch', '--jobs', '1', '-o', sys.argv[2]]\n"
              "try:\n    main()\nexcept SystemExit as stop:\n    assert stop.code in (0, None), stop.code\n"
              "print(sorted({name.split('.')[0] for name in sys.modules} & {'celery', 'kombu', 'redis', 'billiard'}))\n")
    result = subprocess.run([sys.executable, "-c", script, str(project), str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert (tmp_path / "out/car-x-briefing.pdf").is_file()


# ---------------------------------------------------------------------------------------------
# Real workers.


def test_a_batch_on_the_workers_is_byte_identical_to_the_local_batch_and_renders_once(celery_cluster, seed_batch,
                                                                                       tmp_path):
    """The local batch is the session's (tests/conftest.py seed_batch: two processes, a copy of the
    seeds, 2026-12-01), of which the CAR-M documents are compared here (the seeds of that class
    alone: the other classes' documents are rendered the same way); tests/run/test_batch.py runs
    `reports batch` locally as a command."""
    project = class_copy(tmp_path / "project", "car-m")
    remote = reports("--project", str(project), "batch", "--engine", "celery", "--broker", celery_cluster.broker,
                     "-o", str(tmp_path / "celery"), "--date", "2026-12-01")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout.splitlines()[-1].endswith(f" s on the workers of {celery_cluster.broker}")
    names = ["car-m-briefing.pdf", "car-m-handout-a4.pdf"]
    assert sorted(path.name for path in (tmp_path / "celery").iterdir()) == names
    for name in names:
        assert (tmp_path / "celery" / name).read_bytes() == seed_batch[name].read_bytes(), name
    assert "CAR-M细胞疗法" in pdftotext(tmp_path / "celery/car-m-briefing.pdf").replace(" ", "")
    assert not (project / "build").exists()

    # Submitted again: every result is there already, nothing is rendered twice.
    engine = celery_cluster.engine()
    # The batch's jobs, its date named as given (--date): a refused date's message would name it so.
    # Each is answered from what the batch stored (a Delivery), not sent to be rendered (a Ticket).
    answers = [engine.submit(Project.at(project), job) for job in (
        Job("briefing", classes=("car-m",), build_date="2026-12-01", date_from="--date"),
        Job("handout", class_id="car-m", paper="a4", build_date="2026-12-01", date_from="--date"))]
    assert [type(answer).__name__ for answer in answers] == ["Delivery", "Delivery"]
    keys = [answer.key for answer in answers]
    assert [engine.renders(key) for key in keys] == [1, 1]
    again = reports("--project", str(project), "batch", "--engine", "celery", "--broker", celery_cluster.broker,
                    "-o", str(tmp_path / "again"), "--date", "2026-12-01")
    assert again.returncode == 0, again.stderr
    assert [engine.renders(key) for key in keys] == [1, 1]
    assert (tmp_path / "again/car-m-briefing.pdf").read_bytes() == seed_batch["car-m-briefing.pdf"].read_bytes()


def test_a_batch_on_the_workers_tells_each_document_as_it_is_collected(celery_cluster, tmp_path):
    """The progress reports batch prints on a terminal (tests/test_progress.py), with the Celery engine."""
    from reports.run.batch import BatchOptions, build_batch

    told = []
    results = build_batch(write_project(tmp_path / "project"), BatchOptions(
        engine="celery", broker=celery_cluster.broker, output=tmp_path / "out", build_date=dt.date(2026, 12, 1)),
        progress=lambda done, total, name: told.append((done, total, name)))
    assert told == [(1, 2, "car-x-briefing.pdf"), (2, 2, "car-x-handout-a4.pdf")]
    assert [result.pdf.name for result in results] == ["car-x-briefing.pdf", "car-x-handout-a4.pdf"]


def test_the_repositorys_own_folder_renders_the_same_weekly_on_a_worker(celery_cluster):
    """The project whose templates/ are the built-in ones: they are not packed (the worker has its
    own, checked by digest), and both sides name them alike, so the weekly's version (in its
    subject) and its bytes are the same as a local render's."""
    engine = celery_cluster.engine()
    job = Job("weekly", week="2026-W47", build_date="2026-12-01")
    delivery = engine.wait(engine.submit(Project.at(ROOT), job), timeout=120)
    assert delivery.value.pdf == run_job(ROOT, job).pdf


def test_a_rendering_process_killed_mid_render_is_redelivered_and_completes_once(celery_cluster, seed_batch,
                                                                                 tmp_path):
    """The result is compared with the session's batch of the seeds (tests/conftest.py, the same date)."""
    project = Project.at(car_t_copy(tmp_path / "project"))  # inputs of its own: its result is not stored yet
    engine = celery_cluster.engine()
    celery_cluster.wait_until_ready(2)
    job = Job("briefing", classes=("car-t",), build_date="2026-12-01")  # the longest class: about a second
    ticket = engine.submit(project, job)
    task = engine.app.AsyncResult(ticket.task_id)
    deadline = time.monotonic() + 60
    while task.state != "STARTED":
        assert time.monotonic() < deadline, "no worker started the job"
        time.sleep(0.02)
    killed = task.info["pid"]
    time.sleep(0.3)  # into the render: past unpacking the snapshot
    assert engine.renders(ticket.key) == 0
    os.kill(killed, signal.SIGKILL)

    delivery = engine.wait(ticket, timeout=120)
    assert delivery.value.pages > 15
    assert engine.renders(ticket.key) == 1  # rendered once, by the process that took it again
    assert delivery.pid != killed
    assert delivery.value.pdf == seed_batch["car-t-briefing.pdf"].read_bytes()
    assert f"pid:{killed} exited with 'signal 9 (SIGKILL)'" in celery_cluster.logged()
    # The killed process's worker replaced it and went on: both workers warm again.
    processes = celery_cluster.wait_until_ready(2)
    assert killed not in processes


def test_a_batch_document_over_its_time_limit_stops_the_batch_and_writes_nothing(celery_cluster, tmp_path):
    project = car_t_copy(tmp_path / "project")  # each stopped process is replaced: two, not six
    result = reports("--project", str(project), "batch", "--engine", "celery", "--broker", celery_cluster.broker,
                     "--time-limit", "0.2", "-o", str(tmp_path / "out"), "--date", "2026-12-02")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"car-t-(briefing|handout-a4)\.pdf: rendering took longer than 0\.2 s and was stopped; "
                     r"nothing was written", result.stderr), result.stderr
    assert not (tmp_path / "out").exists()
    celery_cluster.wait_until_ready(2)  # the stopped processes were replaced


def test_a_job_that_loses_its_process_every_time_fails_after_three_starts(celery_cluster, tmp_path):
    """A job whose render is killed at every start (as a document that exhausts memory would be)
    is not given again for ever: the third loss fails it, with a message saying why."""
    from reports.run.distributed import MAX_STARTS, PREFIX, JobFailed

    project = Project.at(seed_copy(tmp_path / "project"))
    engine = celery_cluster.engine()
    celery_cluster.wait_until_ready(2)
    ticket = engine.submit(project, Job("briefing", build_date="2026-12-03"))
    task = engine.app.AsyncResult(ticket.task_id)
    store = celery_cluster.redis()
    killed: list[int] = []
    deadline = time.monotonic() + 120
    while task.state != "FAILURE":
        assert time.monotonic() < deadline, (task.state, killed)
        # A start once the worker has counted it (its record, written before the render; Celery's STARTED
        # comes earlier, and a process killed before the count was not a start lost to the job).
        start = json.loads(store.get(f"{PREFIX}started:{ticket.task_id}") or "null")
        # Each of the first MAX_STARTS starts is killed; the next one must fail by itself.
        if start and start["pid"] not in killed and len(killed) < MAX_STARTS:
            killed.append(start["pid"])
            time.sleep(0.2)
            os.kill(start["pid"], signal.SIGKILL)
        time.sleep(0.02)
    assert len(killed) == MAX_STARTS
    with pytest.raises(JobFailed) as failed:
        engine.wait(ticket, timeout=10)
    assert failed.value.status == 500
    assert f"started {MAX_STARTS} times and its rendering process was lost each time" in failed.value.message
    assert engine.renders(ticket.key) == 0
    celery_cluster.wait_until_ready(2)  # the workers replaced every killed process and go on


def test_a_broken_seed_on_a_worker_is_the_located_error_unchanged(celery_cluster, tmp_path):
    project = write_project(tmp_path / "project", {
        "seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    with pytest.raises(ReportError) as here:
        load_content(Project.at(project))
    engine = celery_cluster.engine()
    for job in (Job("catalog"), Job("handout", class_id="car-x", build_date="2026-12-01")):
        with pytest.raises(ReportError) as there:
            engine.run(Project.at(project), job)
        assert [str(problem) for problem in there.value.problems] == [str(p) for p in here.value.problems]
        assert str(there.value.problems[0]).startswith("seeds/evidence/car-x.yaml:")
        assert str(celery_cluster.folder) not in str(there.value)


def test_a_job_that_may_render_past_the_workers_redelivery_is_refused_not_rendered_twice(celery_cluster, tmp_path):
    """The session's workers give a lost job to another after 400 s (--redeliver-after); a caller's
    time limit of 450 s travels with the job and would let the broker hand it to a second
    worker while the first still renders. The worker refuses it, saying why, and renders nothing."""
    from reports.run.distributed import JobFailed

    # A project of its own: results are kept by content for the whole session, and this job must reach a worker.
    project = Project.at(write_project(tmp_path / "project", {"seeds/project.yaml": f"# {tmp_path}\n"}))
    engine = celery_cluster.engine()
    job = Job("handout", class_id="car-x", build_date="2026-12-01")
    ticket = engine.submit(project, job, time_limit=450)
    with pytest.raises(JobFailed) as refused:
        engine.wait(ticket)
    assert "the job may render for 450 s, but the broker gives a job to another worker after 400 s" in str(refused.value)
    assert engine.renders(ticket.key) == 0
    assert engine.run(project, job, time_limit=30).value.pdf.startswith(b"%PDF")
    assert engine.renders(ticket.key) == 1


def test_a_job_over_its_time_limit_fails_and_the_worker_goes_on(celery_cluster, tmp_path):
    from reports.run.distributed import JobFailed

    project = Project.at(car_t_copy(tmp_path / "project"))
    engine = celery_cluster.engine()
    with pytest.raises(JobFailed) as failed:
        engine.run(project, Job("briefing", build_date="2026-12-04"), time_limit=0.2)
    assert (failed.value.status, failed.value.message) == (504, "rendering took longer than 0.2 s and was stopped")
    # Given again with time enough, the same job renders, on the process that replaced the stopped one or
    # the other worker's: the failure was not stored as its result.
    assert engine.run(project, Job("briefing", build_date="2026-12-04")).value.pages > 15


@pytest.mark.server  # a redis-server and two workers of its own, not the session's cluster: its wait overlaps others
def test_a_batch_whose_worker_is_lost_mid_render_completes_once_the_job_is_given_to_another(
        seed_batch, tmp_path, monkeypatch):
    """The machine lost: a worker and its rendering process die at once (SIGKILL of the group), and
    nothing tells the broker. The job, unacknowledged, goes to the other worker once --redeliver-after
    has passed, and the batch, which follows its jobs, waits for it: every document written, each
    rendered once, none by the lost worker. The caller's slack is taken away here, so that a deadline
    counted from the submission (the time limit plus that slack, 360 s by default) falls before the
    redelivery, as it always did with the defaults (issue 26: "no worker finished the job within 100 s")."""
    from reports.run.distributed import PREFIX

    monkeypatch.setattr("reports.run.distributed.GRACE", 0.0)
    server, broker = start_redis_server(tmp_path)
    cluster = CeleryCluster(broker, tmp_path, [], [])
    try:
        for number in (1, 2):
            start_worker(cluster, f"lost{number}@loopback", "--time-limit", "8", "--redeliver-after", "10")
        cluster.wait_until_ready(2)
        store = cluster.redis()
        lost: list[str] = []

        def lose_the_first_worker_to_start() -> None:
            deadline = time.monotonic() + 60
            while not lost and time.monotonic() < deadline:
                for key in store.scan_iter("celery-task-meta-*"):
                    task = json.loads(store.get(key) or "{}")
                    if task.get("status") == "STARTED":
                        time.sleep(0.3)  # into the render: past unpacking the snapshot
                        worker = cluster.workers[cluster.names.index(task["result"]["hostname"])]
                        os.killpg(worker.pid, signal.SIGKILL)
                        worker.wait(timeout=30)
                        lost.append(task["result"]["hostname"])
                        return
                time.sleep(0.02)

        killer = threading.Thread(target=lose_the_first_worker_to_start)
        killer.start()
        project = car_t_copy(tmp_path / "project")
        result = in_process("--project", str(project), "batch", "--engine", "celery", "--broker", broker,
                            "--time-limit", "8", "-o", str(tmp_path / "out"), "--date", "2026-12-01")
        killer.join()
        assert lost, "no job started"
        assert result.returncode == 0, result.stderr
        names = ["car-t-briefing.pdf", "car-t-handout-a4.pdf"]
        assert sorted(path.name for path in (tmp_path / "out").iterdir()) == names
        for name in names:
            assert (tmp_path / "out" / name).read_bytes() == seed_batch[name].read_bytes(), name
        rendered = [json.loads(store.hget(key, "meta"))["worker"] for key in store.scan_iter(f"{PREFIX}result:*")]
        assert len(rendered) == 2 and lost[0] not in rendered, (lost, rendered)
        assert [int(store.get(key)) for key in store.scan_iter(f"{PREFIX}renders:*")] == [1, 1]
    finally:
        for process in [*cluster.workers, server]:
            stop_group(process)


@pytest.mark.server  # a redis-server of its own, on which no worker runs
def test_a_broker_that_no_worker_consumes_is_named_within_seconds_and_nothing_is_written(project, tmp_path):
    """No reports worker on the broker: the batch asks the workers (Celery's ping) before it submits
    anything, and says so at once, instead of waiting out the time limit; a single job (the
    service's) is refused as unavailable (503) the same way, not left waiting."""
    from reports.run.distributed import CeleryEngine, JobFailed

    server, broker = start_redis_server(tmp_path)
    try:
        said = (f"no reports worker answers on the broker {broker} (asked for 2 s); start one on a machine that "
                f"reaches it: reports worker --broker {broker}")
        started = time.monotonic()
        result = in_process("--project", str(project), "batch", "--engine", "celery", "--broker", broker,
                            "--time-limit", "5", "-o", str(tmp_path / "out"))
        assert time.monotonic() - started < 10
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == f"reports: {said}"
        assert not (tmp_path / "out").exists() and not (project / "build").exists()
        engine = CeleryEngine(broker)
        assert engine.redis.llen("reports") == 0  # nothing queued that a worker started later would render for nobody

        started = time.monotonic()
        with pytest.raises(JobFailed) as failed:
            engine.run(Project.at(project), Job("catalog"), time_limit=5)
        assert time.monotonic() - started < 15
        assert (failed.value.status, failed.value.message) == (503, said)
    finally:
        stop_group(server)


def test_weasyprint_is_loaded_only_in_the_rendering_processes_never_in_the_worker_that_forks_them(celery_cluster):
    """The order that matters: a worker's parent forks its rendering processes before anything loads
    WeasyPrint (Pango), and each of them warms up after the fork, before its first job."""
    processes = celery_cluster.wait_until_ready(2)
    for worker in celery_cluster.workers:
        assert "libpango" not in Path(f"/proc/{worker.pid}/maps").read_text()
    children = {pid for pid in processes if Path(f"/proc/{pid}/status").exists()
                and int(re.search(r"PPid:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])
                in {worker.pid for worker in celery_cluster.workers}}
    assert len(children) == 2
    for pid in children:
        assert "libpango" in Path(f"/proc/{pid}/maps").read_text()


def test_a_worker_with_other_built_in_templates_refuses_the_job_and_says_why(celery_cluster, project):
    from reports.run.distributed import QUEUE, TASK, JobFailed, Ticket

    engine = celery_cluster.engine()
    snapshot_id, _ = engine.upload_snapshot(Project.at(project), Job("catalog"))
    payload = {"job": Job("catalog").as_dict(), "key": "0" * 64, "snapshot": snapshot_id, "builtin": "another version"}
    engine.app.send_task(TASK, args=[payload], task_id="test-other-version", queue=QUEUE)
    with pytest.raises(JobFailed) as failed:
        engine.wait(Ticket("0" * 64, "test-other-version", time.time(), 30, True), timeout=60)
    assert failed.value.status == 500
    assert failed.value.message.startswith("the worker failed: WrongVersion: the worker ")
    assert failed.value.message.endswith(" has other built-in templates or another version of reports than the "
                                         "submitter; install the same version on every machine")
