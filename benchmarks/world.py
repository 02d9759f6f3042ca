"""The scratch world the benchmarks that run the desk as separate processes share:
a database and a redis-server of their own, gunicorn (or Django's threaded server)
and a prefork Celery worker on them, all removed at the end whatever happens.

Used by intake.py and load.py; not a script of its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"

# Django's threaded server, closing each request's database connection; used when
# gunicorn is not installed.
SERVE = """
import sys
from django.core.servers.basehttp import ThreadedWSGIServer, run
from django.core.wsgi import get_wsgi_application

class Server(ThreadedWSGIServer):
    request_queue_size = 256

run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), server_cls=Server)
"""

# A started process gets SIGKILL when this script dies (Linux), even by SIGKILL.
DIE_WITH_PARENT = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except Exception:
    pass
os.execvp(sys.argv[1], sys.argv[1:])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            sys.exit(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
    return result


class Processes:
    """The processes the script starts; all killed, with their children, at the end."""

    def __init__(self, logs: Path, env: dict[str, str]) -> None:
        self.logs = logs
        self.env = env
        self.started: list[subprocess.Popen] = []
        self.named: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [str(BIN / "python"), "-c", DIE_WITH_PARENT, *command],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        self.named[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_all(self) -> None:
        for process in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def admin_connection(server_url: str):
    import psycopg

    return psycopg.connect(f"{server_url}/postgres", autocommit=True)


@contextlib.contextmanager
def bench_world(
    *, postgres: str, database: str, redis_url: str | None, prefix: str, env: dict[str, str]
):
    """A database and (unless ``redis_url``) a redis-server of the benchmark's
    own, and the environment for the desk's processes on them; all of it is
    removed at the end, whatever happens. Yields (processes, env)."""
    server_url = postgres.rstrip("/")
    with admin_connection(server_url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    logs = Path(tempfile.mkdtemp(prefix=prefix))
    processes = None
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"{server_url}/{database}",
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            # A throwaway key: with DEBUG off the desk starts only with one.
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            **env,
        }
        processes = Processes(logs, env)
        if redis_url is None:
            if shutil.which("redis-server") is None:
                sys.exit("redis-server is not installed; pass --redis-url")
            redis_port = free_port()
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            processes.start(
                "redis",
                [
                    *("redis-server", "--bind", "127.0.0.1", "--port", str(redis_port)),
                    *("--save", "", "--appendonly", "no"),
                ],
            )
            wait_until(
                lambda: "Ready to accept" in processes.log("redis"), timeout=10, what="redis"
            )
        env["REDIS_URL"] = redis_url
        # This process reads the same database and broker as the ones it starts.
        os.environ.update(
            {
                k: env[k]
                for k in ("DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND", "SECRET_KEY", "LOG_LEVEL")
            }
        )
        yield processes, env
    finally:
        if processes is not None:
            processes.kill_all()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with admin_connection(server_url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(logs, ignore_errors=True)


def start_web(processes: Processes, port: int, *, workers: int) -> str:
    """The web side on 127.0.0.1:``port``: gunicorn with ``workers`` sync workers
    if installed (as docker/ runs it), else Django's threaded server. Says which."""
    if (BIN / "gunicorn").exists():
        processes.start(
            "web",
            [
                *(str(BIN / "gunicorn"), "helpdesk.wsgi", "--bind", f"127.0.0.1:{port}"),
                *("--workers", str(workers)),
            ],
        )
        return f"gunicorn, {workers} sync workers"
    processes.start("web", [str(BIN / "python"), "-c", SERVE, str(port)])
    return "Django's threaded WSGI server (gunicorn is not installed)"


def start_worker(processes: Processes, *, concurrency: int) -> None:
    """A prefork Celery worker on every queue, logging each task it runs."""
    processes.start(
        "worker",
        [
            *(str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool=prefork"),
            *("-c", str(concurrency), "--loglevel=INFO", "--without-gossip"),
            *("--without-mingle", "--without-heartbeat"),
        ],
    )


def wait_for_web_and_worker(processes: Processes, base: str) -> None:
    def web_answers() -> bool:
        try:
            urllib.request.urlopen(f"{base}/api/v1/tickets/", timeout=2)
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    wait_until(web_answers, timeout=60, what="the web server")
    wait_until(lambda: " ready." in processes.log("worker"), timeout=60, what="the worker")


def worker_failures(processes: Processes) -> list[str]:
    """The worker's log lines that say a task failed or is being retried."""
    return [
        line
        for line in processes.log("worker").splitlines()
        if "retry: Retry in" in line or "raised unexpected" in line
    ]
