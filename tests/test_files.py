"""Writing whole or not at all (reports/files.py): what a killed write leaves is cleared by the next
write, never a live writer's; a folder of documents is replaced at once, or not at all."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.writes import begin_write, end, killed_midway

from reports.files import remove_leftovers, write_atomically, write_folder


def test_a_write_killed_midway_is_cleared_by_the_next_write_of_the_file_and_a_live_one_is_left(tmp_path: Path):
    target = tmp_path / "build" / "briefing.pdf"
    target.parent.mkdir()
    left = killed_midway(target)
    by_hand = target.parent / ".briefing.pdf.XXXX.tmp"  # as an older version, or anyone, names it
    by_hand.write_bytes(b"%PDF-1.7 a third of a PDF")
    live, writing = begin_write(target)
    try:
        assert left.name.startswith(".briefing.pdf.") and left.name.endswith(".tmp") and left.is_file()
        write_atomically(target, b"%PDF-1.7 whole")
        assert target.read_bytes() == b"%PDF-1.7 whole"
        assert not left.exists() and not by_hand.exists()  # no writer holds them: nothing else would remove them
        assert writing.read_bytes() == b"%PDF-1.7 half of a PDF"  # its writer is still at work
    finally:
        end(live)
    assert remove_leftovers(target) == [writing]
    assert sorted(os.listdir(target.parent)) == ["briefing.pdf"]


def test_a_folder_is_replaced_at_once_keeping_its_other_files_and_a_killed_batchs_folder_is_cleared(tmp_path: Path):
    folder = tmp_path / "batch"
    write_folder(folder, {"car-x-briefing.pdf": b"1", "car-x-handout-a4.pdf": b"1"})
    (folder / "car-x-handout-a5.pdf").write_bytes(b"an earlier batch's")
    (folder / "notes.txt").write_text("the editors'")
    left = killed_midway(folder, "folder")
    assert left.parent == tmp_path and left.name.startswith(".batch.") and left.is_dir()
    before = folder.stat().st_ino

    write_folder(folder, {"car-x-briefing.pdf": b"2", "car-x-handout-a4.pdf": b"2"})
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == {
        "car-x-briefing.pdf": b"2", "car-x-handout-a4.pdf": b"2", "car-x-handout-a5.pdf": b"an earlier batch's",
        "notes.txt": b"the editors'"}
    assert folder.stat().st_ino != before  # another folder took its place, whole: no file was changed in it
    assert os.listdir(tmp_path) == ["batch"]  # the killed batch's temporary folder went, and so did the old one


WRITE_FOLDER = """
import errno, sys
from pathlib import Path
from reports.files import write_folder
try:
    write_folder(Path(sys.argv[1]), {"car-x-briefing.pdf": b"new" * 3000, "car-x-handout-a4.pdf": b"new" * 70000})
except OSError as error:
    sys.exit(errno.errorcode[error.errno])
"""


@pytest.mark.parametrize("inside", [None, "archive"], ids=["a folder of files", "a folder with a subfolder"])
def test_a_folder_whose_write_fails_midway_is_left_as_it_was(tmp_path: Path, inside: str | None):
    """The second file is over the size a process may write (RLIMIT_FSIZE: the write fails with
    EFBIG, as it would with ENOSPC on a full disk): the first, written already, is not seen."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "car-x-briefing.pdf").write_bytes(b"old")
    if inside:  # not swapped whole: every file staged beside its target, then renamed
        (folder / inside).mkdir()
    limit = 100_000

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    failed = subprocess.run([sys.executable, "-c", WRITE_FOLDER, str(folder)], preexec_fn=limited,
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and failed.stderr.strip() == "EFBIG", failed.stderr
    assert sorted(os.listdir(folder)) == sorted(["car-x-briefing.pdf", *([inside] if inside else [])])
    assert (folder / "car-x-briefing.pdf").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["batch"]
