"""``make run``'s console: a ready line once the server answers, a favicon, and one Ctrl-C
that stops the web server and the worker without an error line.

Runs ``scripts/run.py`` (what ``make run`` runs after migrating and loading the demo) on a
fresh migrated SQLite database and a port of its own, as a new user would.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def run_env(tmp_path):
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MGTRADE_VAR_DIR=str(tmp_path / "var"),
        MGTRADE_PORT=str(free_port()),
        PYTHONUNBUFFERED="1",
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    return env


def test_make_run_says_ready_when_it_answers_and_stops_cleanly_on_ctrl_c(run_env):
    url = f"http://127.0.0.1:{run_env['MGTRADE_PORT']}/"
    runner = subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert runner.stdout is not None
        for line in runner.stdout:
            lines.append(line.rstrip("\n"))
            if f"mgtrade is ready: {url}" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(120), "\n".join(lines)
        # The line came only once the server answers: it does now, with a real favicon.
        with urllib.request.urlopen(url + "favicon.ico", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/x-icon"
            assert response.read(4) == b"\x00\x00\x01\x00"  # the ICO signature
        # The worker is up too before we stop it (its "ready" comes from Celery's log).
        deadline = time.monotonic() + 60
        while not any("celery@" in line and "ready." in line for line in lines):
            assert time.monotonic() < deadline, "\n".join(lines)
            time.sleep(0.2)
        stop_from = len(lines)
        runner.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        assert runner.wait(timeout=60) == 0
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    reader.join(timeout=5)
    console = "\n".join(lines)
    stopping = "\n".join(lines[stop_from:])
    assert lines[-1] == "Stopped.", console
    for noise in ("Traceback", "ERROR", "killed", "No hostname was supplied", "ended (exit"):
        assert noise not in console, console
    assert "Warm shutdown" in stopping  # the worker stopped itself, its children with it
    with pytest.raises(OSError):  # nothing listens any more
        urllib.request.urlopen(url, timeout=2)
