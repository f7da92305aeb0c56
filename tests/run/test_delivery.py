"""Delivery: a produced week reaches each reader once (mail with its PDF, group robots, webhooks),
failures are retried and then told at their place, a crash repeats at most one message, and a failed
week reaches the editor. Real servers on loopback: aiosmtpd receives the mail, an HTTP server the
webhooks; the week is the session's seed weekly (tests/conftest.py seed_weeks), copied, never rendered here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers.cli import reports
from helpers.inboxes import start_hooks, start_smtp
from helpers.projects import ROOT, write_project
from helpers.servers import loopback_port, start_redis_server, stop_group

from reports.run.schedule import WeeklyScheduler

WEEK = "2026-W47"
SETTINGS = (ROOT / "seeds/project.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def smtp():
    controller, inbox = start_smtp()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture(scope="module")
def hooks():
    server, received = start_hooks()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


@pytest.fixture
def inbox(smtp):
    smtp[1].clear()
    return smtp[1]


def delivery_yaml(port: int, to: list[str], **more: str) -> str:
    lines = ["delivery:", f"  smtp: smtp://127.0.0.1:{port}", "  sender: 证据周报 <weekly@example.org>",
             "  backoff_seconds: 0.01", "  timeout_seconds: 1", "  to:" if to else "  to: []"]
    lines += [f"    - {json.dumps(target)}" for target in to]
    lines += [f"  {key}: {value}" for key, value in more.items()]
    return "\n".join(lines) + "\n"


def week_project(folder: Path, seed_weeks, settings: str = "") -> Path:
    """A copy of the shipped seeds with the session's 2026-W47 weekly as produced, and these settings."""
    made = seed_weeks(WEEK).pdf.parents[3]
    shutil.copytree(made / "seeds", folder / "seeds")
    shutil.copytree(made / "build/weekly" / WEEK, folder / "build/weekly" / WEEK)
    (folder / "seeds/project.yaml").write_text(SETTINGS + settings, encoding="utf-8")
    return folder


def line_of(project: Path, text: str) -> int:
    return next(number for number, line in enumerate((project / "seeds/project.yaml").read_text().splitlines(), 1)
                if text in line)


def manifest(project: Path) -> dict:
    return json.loads((project / "build/weekly" / WEEK / "manifest.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# The message a reader gets


def test_a_date_in_the_mails_text_is_kept_on_one_line_but_one_in_an_attribute_is_left_alone():
    from reports.run.message import unbroken_dates

    assert unbroken_dates('<sup class="n 2026-11-21">1</sup> 收入：2026-11-21、2026-W47') == (
        '<sup class="n 2026-11-21">1</sup> 收入：<span style="white-space: nowrap">2026-11-21</span>、2026-W47')


def test_each_recipient_gets_the_week_with_its_pdf_its_highlights_and_a_stable_message_id(
        tmp_path: Path, seed_weeks, smtp, inbox):
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(smtp[0], ["mailto:a@example.org",
                                                                               "mailto:b@example.org"]))
    done = reports("--project", str(project), "deliver", "--week", WEEK)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": delivered: accepted by smtp://127.0.0.1:") == 2, done.stdout

    (first,), (second,) = inbox.to("a@example.org"), inbox.to("b@example.org")
    pdf = (project / "build/weekly" / WEEK / "briefing.pdf").read_bytes()
    assert first["Subject"] == "CAR 细胞疗法证据周报 2026-W47"
    assert first["From"].addresses[0].display_name == "证据周报"
    (attachment,) = list(first.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "CAR细胞疗法证据周报-2026-W47.pdf"
    assert attachment.get_content() == pdf
    text = first.get_body(("plain",)).get_content()
    html = first.get_body(("html",)).get_content()
    # The highlights as the PDF printed them (the manifest keeps them), and nothing else about studies.
    items = [item for group in manifest(project)["highlights"]["groups"] for item in group["items"]]
    assert len(items) == 5
    for item in items:
        assert item["title"] in text and item["line"] in text and item["dating"] in text
        assert item["title"] in html
    assert "截至2026年11月22日的一周" in text and "仅供医疗卫生专业人士参考" in text
    assert '<html lang="zh-Hans">' in html and '<span lang="zh-Hant">觀察者網·風聞（轉載）</span>' in html
    # A date is never broken at its hyphen by a narrow mail window: 收入证据表：2026- / 11-21.
    assert '收入证据表：<span style="white-space: nowrap">2026-11-21</span>' in html
    assert not re.search(r"(?<![>0-9-])20[0-9]{2}-[0-9]{2}-[0-9]{2}", html.split("<body", 1)[1])
    assert first["List-Unsubscribe"].strip() == "<mailto:weekly@example.org?subject=%E9%80%80%E8%AE%A2%202026-W47>"
    assert first["Message-ID"].startswith("<weekly.2026-W47.") and first["Message-ID"].endswith("@example.org>")
    assert first["Message-ID"] != second["Message-ID"]

    again = reports("--project", str(project), "deliver", "--week", WEEK)
    assert again.returncode == 0
    assert again.stdout.count("already delivered by ") == 2 and "nothing sent" in again.stdout, again.stdout
    assert len(inbox.messages) == 2


def test_a_dry_run_says_what_would_be_sent_and_sends_and_records_nothing(tmp_path: Path, seed_weeks, smtp, inbox):
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(smtp[0], ["mailto:a@example.org"]))
    dry = reports("--project", str(project), "deliver", "--week", WEEK, "--dry-run")
    assert dry.returncode == 0 and "would send “CAR 细胞疗法证据周报 2026-W47” (the PDF attached)" in dry.stdout
    assert inbox.messages == [] and not (project / "build/delivery.sqlite").exists()


def test_a_pdf_over_the_limit_is_linked_under_base_url_or_said_to_be_missing(tmp_path: Path, seed_weeks, smtp, inbox):
    settings = delivery_yaml(smtp[0], ["mailto:a@example.org"], max_attachment_mb="0.1")
    project = week_project(tmp_path / "p", seed_weeks, settings + "base_url: https://briefings.example.org/\n")
    assert reports("--project", str(project), "deliver", "--week", WEEK).returncode == 0
    (linked,) = inbox.to("a@example.org")
    assert list(linked.iter_attachments()) == []
    assert "全文 PDF：https://briefings.example.org/weekly/2026-W47.pdf" in linked.get_body(("plain",)).get_content()

    bare = week_project(tmp_path / "q", seed_weeks, settings)
    told = reports("--project", str(bare), "deliver", "--week", WEEK, "--to", "mailto:c@example.org")
    assert "over delivery.max_attachment_mb (0.1 MB) and no base_url is set" in told.stderr
    assert "全文 PDF 超过 0.1 MB，未随邮件附上" in inbox.to("c@example.org")[0].get_body(("plain",)).get_content()


def test_webhooks_get_the_generic_json_and_the_wecom_and_dingtalk_robot_messages(tmp_path: Path, seed_weeks, hooks):
    url, received = hooks
    project = week_project(tmp_path / "p", seed_weeks, "base_url: https://briefings.example.org\n")
    generic_run = reports("--project", str(project), "deliver", "--week", WEEK, "--to", f"{url}/ok/json")
    done = reports("--project", str(project), "deliver", "--week", WEEK, "--to", f"{url}/robot/wecom?key=SECRET",
                   "--format", "wecom")
    assert generic_run.returncode == 0 and done.returncode == 0, done.stderr
    assert "SECRET" not in done.stdout and "/robot/wecom?***" in done.stdout
    (generic,) = received.bodies("/ok/json")
    pdf = (project / "build/weekly" / WEEK / "briefing.pdf").read_bytes()
    assert generic["week"] == WEEK and generic["subject"] == "CAR 细胞疗法证据周报 2026-W47"
    assert generic["pdf"] == {"url": "https://briefings.example.org/weekly/2026-W47.pdf", "bytes": len(pdf),
                              "sha256": hashlib.sha256(pdf).hexdigest()}
    assert [len(group["items"]) for group in generic["highlights"]] == [4, 1]
    (wecom,) = received.bodies("/robot/wecom")
    content = wecom["markdown"]["content"]
    assert wecom["msgtype"] == "markdown" and len(content.encode("utf-8")) <= 4096
    assert content.startswith("## CAR 细胞疗法证据周报 2026-W47")
    assert "[全文 PDF](https://briefings.example.org/weekly/2026-W47.pdf)" in content

    ding = reports("--project", str(project), "deliver", "--week", WEEK, "--to", f"{url}/robot/ding", "--format",
                   "dingtalk")
    assert ding.returncode == 0, ding.stderr
    (dingtalk,) = received.bodies("/robot/ding")
    assert dingtalk["msgtype"] == "markdown" and dingtalk["markdown"]["title"] == "CAR 细胞疗法证据周报 2026-W47"
    assert dingtalk["markdown"]["text"] == content  # the same markdown, in DingTalk's envelope


# ---------------------------------------------------------------------------------------------
# Failures: retried while they may pass, then told at their place; the other targets get theirs


def test_a_refused_connection_is_retried_then_reported_at_its_place_and_the_others_still_get_theirs(
        tmp_path: Path, seed_weeks, hooks):
    url, received = hooks
    nobody = loopback_port()
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(nobody, ["mailto:a@example.org", f"{url}/ok/x"]))
    failed = reports("--project", str(project), "deliver", "--week", WEEK)
    assert failed.returncode == 1
    line = line_of(project, "mailto:a@example.org")
    assert (f"seeds/project.yaml:{line}:7: 2026-W47 to mailto:a@example.org: not delivered after 3 attempts: "
            f"smtp://127.0.0.1:{nobody} refused the connection (no mail server listening) (the next run tries "
            "again)") in failed.stderr
    assert failed.stderr.count("failed: ") == 2  # the two retries, said as they happen
    assert "1 of 2 targets not delivered; the others were" in failed.stderr
    assert len(received.bodies("/ok/x")) == 1 and ": delivered: accepted by 127.0.0.1 (HTTP 200)" in failed.stdout


def test_a_temporary_smtp_refusal_is_retried_and_a_permanent_one_is_not(tmp_path: Path, seed_weeks, smtp, inbox):
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(smtp[0], ["mailto:a@example.org"]))
    inbox.answers[:] = ["451 4.3.0 try again later"]
    done = reports("--project", str(project), "deliver", "--week", WEEK)
    assert done.returncode == 0 and "attempt 1 of 3 failed: " in done.stderr and "451 4.3.0 try again later" in done.stderr
    assert len(inbox.to("a@example.org")) == 1

    inbox.answers[:] = ["554 5.7.1 rejected as spam", "250 never reached"]
    refused = reports("--project", str(project), "deliver", "--week", WEEK, "--to", "mailto:b@example.org")
    assert refused.returncode == 1
    assert ("--to: 2026-W47 to mailto:b@example.org: refused, not retried: smtp://127.0.0.1:"
            f"{smtp[0]} answered 554 5.7.1 rejected as spam") in refused.stderr
    assert inbox.answers == ["250 never reached"] and inbox.to("b@example.org") == []


@pytest.mark.parametrize(("path", "said", "tries"), [
    ("/flaky-2/x", ": delivered: accepted by 127.0.0.1 (HTTP 200)", 3),
    ("/status-500/x", "not delivered after 3 attempts: {url}/status-500/x answered HTTP 500", 3),
    ("/status-404/x", "refused, not retried: {url}/status-404/x answered HTTP 404", 1),
    ("/redirect/x", ("refused, not retried: {url}/redirect/x answered 302 with a redirect to "
                     "https://elsewhere.example.org/hook; redirects are not followed"), 1),
    ("/slow/x", "not delivered after 2 attempts: {url}/slow/x did not answer within 0.3 s", 2),
    ("/robot-error/x", ("refused, not retried: {url}/robot-error/x refused the message: errcode 93000 "
                        "invalid webhook url"), 1),
], ids=["5xx-then-ok", "5xx", "4xx", "redirect", "slow", "robot-errcode"])
def test_a_webhook_failure_is_retried_only_when_it_may_pass(tmp_path: Path, seed_weeks, hooks, path: str, said: str,
                                                            tries: int):
    url, received = hooks
    path = path.replace("/x", f"/{tmp_path.name}")
    settings = "delivery:\n  backoff_seconds: 0.01\n  timeout_seconds: 0.3\n" + \
        ("  attempts: 2\n" if path.startswith("/slow") else "")
    project = week_project(tmp_path / "p", seed_weeks, settings)
    done = reports("--project", str(project), "deliver", "--week", WEEK, "--to", f"{url}{path}",
                   *(["--format", "dingtalk"] if "robot" in path else []))
    assert said.replace("/x", path.removeprefix(path.rsplit("/", 1)[0])).format(url=url) in done.stdout + done.stderr
    assert received.counts[path] == tries


# ---------------------------------------------------------------------------------------------
# Exactly once, and where not: a crash between acceptance and record


KILLED_AFTER_ACCEPTANCE = """
import os, signal, smtplib, sys
sent = smtplib.SMTP.send_message
def send_then_die(self, *args, **kwargs):
    answer = sent(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # accepted by the server, not yet recorded
smtplib.SMTP.send_message = send_then_die
from reports.cli import main
sys.argv[0] = "reports"
main()
"""


def test_a_kill_between_acceptance_and_record_repeats_that_one_message_only(tmp_path: Path, seed_weeks, smtp, inbox):
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(smtp[0], ["mailto:a@example.org",
                                                                               "mailto:b@example.org"]))
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_ACCEPTANCE, "--project", str(project), "deliver",
                             "--week", WEEK], check=False, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert killed.returncode == -9, killed.stderr
    assert len(inbox.to("a@example.org")) == 1 and inbox.to("b@example.org") == []

    again = reports("--project", str(project), "deliver", "--week", WEEK)
    assert again.returncode == 0, again.stderr
    repeated, once = inbox.to("a@example.org"), inbox.to("b@example.org")
    assert len(once) == 1
    assert len(repeated) == 2 and repeated[0]["Message-ID"] == repeated[1]["Message-ID"]  # the same message again
    third = reports("--project", str(project), "deliver", "--week", WEEK)
    assert third.stdout.count("already delivered") == 2 and len(inbox.messages) == 3


# ---------------------------------------------------------------------------------------------
# The scheduler delivers what it builds, once; a failed week reaches the editor


SHANGHAI = ZoneInfo("Asia/Shanghai")


def clock(text: str):
    return lambda: dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_scheduled_week_arrives_once_per_recipient_and_once_per_webhook(tmp_path: Path, seed_weeks, smtp, inbox,
                                                                         hooks):
    url, received = hooks
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(
        smtp[0], ["mailto:a@example.org", f"{url}/robot/{tmp_path.name}?key=K"]))
    (project / "readers.txt").write_text("# the team\nb@example.org\nmailto:c@example.org  # lead\n", encoding="utf-8")
    with open(project / "seeds/project.yaml", "a", encoding="utf-8") as settings:
        settings.write("  recipients_file: readers.txt\n")
    for moment in ("2026-11-23 09:00", "2026-11-24 09:00"):  # a run, then a restart the next day
        run = WeeklyScheduler(project, clock(moment)).run_due("catch-up")
        assert run.outcome == "already-produced" and run.problems == []
    assert [len(inbox.to(f"{name}@example.org")) for name in "abc"] == [1, 1, 1]
    assert len(received.bodies(f"/robot/{tmp_path.name}")) == 1
    records = [json.loads(line) for line in (project / "build/weekly/runs.jsonl").read_text().splitlines()]
    assert [sum(": delivered: " in line for line in record["delivery"]) for record in records] == [4, 0]
    assert all(": already delivered by " in line for line in records[1]["delivery"])


def test_a_failed_build_reaches_the_editor_with_its_located_error(tmp_path: Path, smtp, inbox, hooks):
    url, received = hooks
    project = write_project(tmp_path / "p", {"seeds/project.yaml": delivery_yaml(smtp[0], []) +
                                             f"alerts: [mailto:editor@example.org, {url}/ok/{tmp_path.name}]\n"})
    evidence = project / "seeds/evidence/car-x.yaml"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace("treated: 12", "treated: twelve"),
                        encoding="utf-8")
    run = WeeklyScheduler(project, clock("2026-11-23 09:00")).run_due("catch-up")
    assert run.outcome == "failed"
    (alert,) = inbox.to("editor@example.org")
    assert alert["Subject"] == "CAR 细胞疗法证据周报 2026-W47 未能发出：周报构建失败"
    body = alert.get_body(("plain",)).get_content()
    located = next(line for line in run.problems if line.startswith("seeds/evidence/car-x.yaml:"))
    assert located in body and "enrollment.treated" in located
    (hook,) = received.bodies(f"/ok/{tmp_path.name}")
    assert hook["alert"] == alert["Subject"] and located in hook["problems"]


def test_a_failed_delivery_reaches_the_editor(tmp_path: Path, seed_weeks, smtp, inbox):
    nobody = loopback_port()
    project = week_project(tmp_path / "p", seed_weeks, delivery_yaml(smtp[0], [f"http://127.0.0.1:{nobody}/hook"]) +
                           "alerts: [mailto:editor@example.org]\n")
    run = WeeklyScheduler(project, clock("2026-11-23 09:00")).run_due("catch-up")
    assert run.outcome == "already-produced"
    (problem,) = run.problems
    assert problem.startswith(f"seeds/project.yaml:{line_of(project, '/hook')}:7: 2026-W47 to http://127.0.0.1:")
    (alert,) = inbox.to("editor@example.org")
    assert alert["Subject"].endswith("未能发出：投递失败") and problem in alert.get_body(("plain",)).get_content()


@pytest.mark.server
@pytest.mark.redis
def test_two_schedulers_on_two_machines_deliver_each_target_once_through_the_broker(tmp_path: Path, seed_weeks,
                                                                                    smtp, inbox):
    server, broker = start_redis_server(tmp_path)
    try:
        settings = delivery_yaml(smtp[0], [f"mailto:{name}@example.org" for name in "abcd"]) + "project_id: shared\n"
        machines = [week_project(tmp_path / name, seed_weeks, settings) for name in ("one", "two")]
        schedulers = [WeeklyScheduler(machine, clock("2026-11-23 09:00"), broker=broker) for machine in machines]
        runs = [None, None]
        threads = [threading.Thread(target=lambda i=i: runs.__setitem__(i, schedulers[i].run_due("catch-up")))
                   for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert [len(inbox.to(f"{name}@example.org")) for name in "abcd"] == [1, 1, 1, 1]
        lines = [line for run in runs for line in run.delivery]
        assert sum(": delivered: " in line for line in lines) == 4
        assert sum(": already delivered by " in line for line in lines) == 4
    finally:
        stop_group(server)


# ---------------------------------------------------------------------------------------------
# What is refused before anything is sent


def test_delivery_settings_are_checked_at_their_place(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": (
        "delivery:\n"
        "  smtp: smtp://user:secret@mail.example.org:587\n"
        "  to: [mailto:team@example.org, ftp://files.example.org]\n"
        "alerts: [mailto:not an address]\n")})
    checked = reports("--project", str(project), "check")
    assert checked.returncode == 1
    assert ("seeds/project.yaml:2:9: delivery.smtp: the user and password of the mail server are never written in "
            "seeds/project.yaml; set REPORTS_SMTP_USER and REPORTS_SMTP_PASSWORD") in checked.stderr
    assert ("seeds/project.yaml:3:33: delivery.to.1: 'ftp://files.example.org' is not a delivery target; write "
            "mailto:ADDRESS or a webhook") in checked.stderr
    assert "seeds/project.yaml:4:10: alerts.0: 'mailto:not an address' is not one e-mail address" in checked.stderr
    assert "secret" not in checked.stderr


def test_a_mail_target_without_a_server_and_a_bad_recipient_line_are_refused_at_their_place(tmp_path: Path):
    project = write_project(tmp_path / "p", {"seeds/project.yaml": "delivery:\n  to: [mailto:a@example.org]\n"})
    checked = reports("--project", str(project), "check")
    assert ("seeds/project.yaml:2:8: delivery.to.0: a mail target needs smtp: and sender: under delivery:"
            in checked.stderr)
    (project / "seeds/project.yaml").write_text(delivery_yaml(25, []) + "  recipients_file: readers.txt\n")
    (project / "readers.txt").write_text("a@example.org\n\n  b@example .org\n", encoding="utf-8")
    refused = reports("--project", str(project), "deliver", "--week", WEEK)
    assert refused.returncode == 1
    assert "readers.txt:3:3: 'mailto:b@example .org' is not one e-mail address" in refused.stderr


def test_a_week_not_produced_is_refused_before_anything_is_sent(tmp_path: Path):
    project = write_project(tmp_path / "p")
    refused = reports("--project", str(project), "deliver", "--week", WEEK, "--to", "https://hooks.example.org/x")
    assert refused.returncode == 1
    assert ("build/weekly/2026-W47/manifest.json: 2026-W47 has not been produced; produce it first: reports weekly "
            "--week 2026-W47") in refused.stderr
