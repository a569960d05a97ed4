"""``make run``: start the Procfile's processes, say when the app answers, stop on Ctrl-C.

A small runner of the Procfile (the format honcho and foreman read) that keeps the console to what a user needs:

- each process's output, prefixed with its name;
- one "ready" line with the URL, printed only once the web server answers it;
- on Ctrl-C (SIGINT) or SIGTERM, a clean stop: the web server's process group gets
  SIGTERM; the Celery worker's main process alone gets it, so it shuts down warmly and
  ends its own pool children (a signal to the whole group kills the children under it
  and Celery reports each as an error). Anything still running after the grace period
  is killed. Exit status 0 after a requested stop, so make prints no error either.

The Procfile names the settings module (``mgtrade.settings.local``) for each process, hides
Django's "development server" banner warning and Celery's start-up banner, and, for a demo
run as root in a container, Celery's warning about running as root (production runs
workers as their own user, docs/deploy.md).

Each process runs in its own session, so the terminal's Ctrl-C reaches only this script.
Variables from ``.env`` apply as with honcho (the environment wins).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 20
READY_TIMEOUT_SECONDS = 120


def procfile_read(path: Path) -> dict[str, str]:
    processes = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and ":" in line:
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def dotenv_apply(path: Path, env: dict[str, str]) -> None:
    """KEY=VALUE lines of ``.env`` for the variables the environment does not set."""
    if not path.exists():
        return
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        env.setdefault(key.strip(), value.strip().strip("'\""))


class Process:
    def __init__(self, name: str, command: str, env: dict[str, str], width: int) -> None:
        self.name = name
        self.prefix = f"{name:<{width}} | "
        self.popen = subprocess.Popen(
            ["sh", "-c", command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
            errors="replace",
            bufsize=1,
        )
        self.reader = threading.Thread(target=self._relay, daemon=True)
        self.reader.start()

    def _relay(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            say(self.prefix + line.rstrip("\n"))

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM: a Celery worker's main process alone (it ends its children itself),
        anything else with its whole process group (runserver's reloader and server)."""
        if not self.running():
            return
        with contextlib.suppress(ProcessLookupError):
            if self.name == "worker":
                self.popen.send_signal(signal.SIGTERM)
            else:
                os.killpg(self.popen.pid, signal.SIGTERM)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


_print_lock = threading.Lock()


def say(text: str) -> None:
    with _print_lock:
        print(text, flush=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the redirect itself is the answer: one request in the server's log


_opener = urllib.request.build_opener(_NoRedirect)


def answers(url: str) -> bool:
    """Any HTTP answer counts (the home page redirects to the login page)."""
    try:
        with _opener.open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--procfile", default=str(ROOT / "Procfile"))
    args = parser.parse_args()

    env = dict(os.environ)
    dotenv_apply(ROOT / ".env", env)
    host = env.get("MGTRADE_HOST") or "127.0.0.1"
    port = env.get("MGTRADE_PORT") or "8000"
    url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/"

    stop_requested = threading.Event()
    processes: list[Process] = []

    def request_stop(signum: int, frame: object) -> None:
        if stop_requested.is_set():  # a second Ctrl-C: no more waiting
            for process in processes:
                process.kill()
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    commands = procfile_read(Path(args.procfile))
    width = max(len(name) for name in commands)
    say(f"Starting mgtrade ({', '.join(commands)}) ...")
    processes.extend(Process(name, command, env, width) for name, command in commands.items())

    ready = False
    started = time.monotonic()
    exit_code = 0
    while not stop_requested.is_set():
        ended = [p for p in processes if not p.running()]
        if ended:
            for process in ended:
                say(f"{process.name} ended (exit status {process.popen.returncode}); stopping.")
            exit_code = 1
            break
        if not ready and answers(url):
            ready = True
            say("")
            say(f"  mgtrade is ready: {url}")
            say("  Demo logins (password: mgtrade-demo): admin · manager · rep · rep2 · qc")
            say(f"  API docs (after signing in): {url}api/docs/   Ctrl-C stops everything.")
            say("")
        elif not ready and time.monotonic() - started > READY_TIMEOUT_SECONDS:
            say(f"No answer at {url} after {READY_TIMEOUT_SECONDS} s; stopping.")
            exit_code = 1
            break
        stop_requested.wait(0.25)

    if stop_requested.is_set():
        say("Stopping (the worker finishes its task first; Ctrl-C again kills at once) ...")
    for process in processes:
        process.stop()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        try:
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{process.name} did not stop within {GRACE_SECONDS} s; killed.")
            process.kill()
            process.popen.wait()
        process.reader.join(timeout=2)
    if stop_requested.is_set():
        say("Stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
