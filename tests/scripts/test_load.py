"""scripts/load.py's server commands and its count of the server's CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripts import load_script

load = load_script("load")

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int, name: str, parent: int, user_ticks: int, system_ticks: int) -> str:
    # /proc/PID/stat: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
    # cmajflt utime stime ...
    return (
        f"{pid} ({name}) S {parent} {pid} {pid} 0 -1 4194560 10 0 0 0 "
        f"{user_ticks} {system_ticks} 0 0 20 0 1 0 100 1000 50\n"
    )


def test_it_adds_up_the_cpu_of_a_process_and_everything_below_it(tmp_path: Path):
    processes = {
        10: _stat(10, "gunicorn: master [sword]", 1, 1 * TICKS, 0),
        11: _stat(11, "gunicorn: worker (x) [sword]", 10, 2 * TICKS, 1 * TICKS),
        12: _stat(12, "a thread) S 99", 11, 3 * TICKS, 0),
        13: _stat(13, "postgres", 1, 50 * TICKS, 50 * TICKS),
        14: _stat(14, "sh", 13, 7 * TICKS, 0),
    }
    for pid, text in processes.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(text)
    (tmp_path / "self").mkdir()

    assert load.process_tree_cpu(10, proc=tmp_path) == pytest.approx(7.0)
    assert load.process_tree_cpu(11, proc=tmp_path) == pytest.approx(6.0)
    assert load.process_tree_cpu(99, proc=tmp_path) == 0.0


def test_it_counts_the_cpu_a_running_server_s_worker_has_used():
    burn = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {burn!r} + 'print(1, flush=True); "
            "time.sleep(60)'])\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == b"1\n"  # the worker has burnt its 0.4 s
        assert load.process_tree_cpu(parent.pid) >= 0.35
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()


@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_it_serves_the_site_on_loopback_with_two_workers_of_the_asked_threads(server: str):
    command = load.server_command(server=server, port=8999, threads=3)

    assert Path(command[0]).name == server
    if server == "gunicorn":
        assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--workers") + 1] == "2"
    threads = "--threads" if server == "gunicorn" else "--blocking-threads"
    assert command[command.index(threads) + 1] == "3"
    if server == "gunicorn":
        assert command[command.index("--bind") + 1] == "127.0.0.1:8999"
    else:
        assert command[command.index("--host") + 1] == "127.0.0.1"
        assert command[command.index("--port") + 1] == "8999"
    assert any(target.startswith("sword.wsgi") for target in command)


def test_it_serves_the_site_with_gunicorn_s_synchronous_workers_to_compare():
    command = load.server_command(server="gunicorn-sync", port=8999, threads=3)

    assert Path(command[0]).name == "gunicorn"
    assert command[command.index("--worker-class") + 1] == "sync"
    assert command[command.index("--workers") + 1] == "2"
    # More than one thread would make gunicorn run threaded workers instead.
    assert "--threads" not in command
    assert command[command.index("--bind") + 1] == "127.0.0.1:8999"
