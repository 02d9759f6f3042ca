"""A real desk for the worker tests: an own redis-server, the web side and a
Celery worker, each a subprocess on the pytest test database (PostgreSQL). The
tests that use it skip themselves elsewhere.

The worker runs as it does in production (prefork, acks_late); its e-mail goes
to files through ``MailDirBackend`` so the tests can read the links back.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.core.mail.backends import filebased

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


def _missing_for_worker_tests() -> str:
    if not os.environ.get("REDIS_URL"):
        return "needs REDIS_URL: the worker tests run only on the PostgreSQL and Redis set-up"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs DATABASE_URL pointing at PostgreSQL: the worker shares the test database"
    if shutil.which("redis-server") is None:
        return "needs redis-server on PATH: the tests stop and start a Redis of their own"
    return ""


WORKER_TESTS_SKIPPED = _missing_for_worker_tests()
needs_live_desk = pytest.mark.skipif(bool(WORKER_TESTS_SKIPPED), reason=WORKER_TESTS_SKIPPED)


class MailDirBackend(filebased.EmailBackend):
    """One file per connection in $SCOPEDESK_MAIL_DIR, named so that two worker
    processes never append to the same file. The worker imports it by its dotted
    path through EMAIL_BACKEND."""

    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["SCOPEDESK_MAIL_DIR"]
        super().__init__(*args, **kwargs)

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{uuid.uuid4().hex}.eml")
        return self._fname


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    check: Callable[[], object],
    *,
    timeout: float,
    what: str,
    every: float = 0.1,
    detail: Callable[[], str] = str,
):
    """Poll ``check`` until it returns something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}\n{detail()}")
        time.sleep(every)


def _kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process and the children it forked (they share its group, which
    outlives the leader if the leader died first)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=10)


# Started through this, a process gets SIGKILL when pytest dies (Linux), so that
# not even a killed test run, which never reaches the teardown, leaves it behind.
_DIE_WITH_PYTEST = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, kept across exec
except Exception:
    pass
os.execvp(sys.argv[1], sys.argv[1:])
"""


def _spawn(command: list[str], *, log: Path, env: dict[str, str] | None = None):
    """Start ``command`` in a process group of its own, output to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(BIN / "python"), "-c", _DIE_WITH_PYTEST, *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


class RedisServer:
    """A redis-server on a free port, without persistence: stopping it loses the
    queue, as a crashed broker would."""

    def __init__(self, logs: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.logs = logs
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = _spawn(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            log=self.logs / "redis.log",
        )
        wait_until(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return client.ping()
        except redis.ConnectionError:
            return False

    def queued(self, task: str) -> int:
        """How many ``task`` messages wait in the desk's queues (not counting those
        a worker has taken)."""
        with self.client() as client:
            messages = [
                message
                for queue in settings.CELERY_TASK_QUEUES
                for message in client.lrange(queue.name, 0, -1)
            ]
        return sum(json.loads(m)["headers"]["task"] == task for m in messages)


class Worker:
    """`celery -A helpdesk worker --pool=prefork -c 2`, started and killed on demand."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.logs / f"worker-{self.starts}.log"

    def start(self, *, wait: bool = True) -> None:
        self.starts += 1
        self.process = _spawn(
            [
                *(str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool=prefork", "-c", "2"),
                *("--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("-n", f"test-{self.starts}@%h"),
            ],
            log=self.log,
            env=self.env,
        )
        if wait:
            self.wait_ready()

    def is_ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{_tail(self.log)}")
        return " ready." in self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        wait_until(self.is_ready, timeout=30, what="the Celery worker to be ready")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crashed machine."""
        if self.process is not None:
            _kill_group(self.process, signal.SIGKILL)
            self.process = None


# The web side: Django's threaded server as `runserver` and `live_server` run it,
# but one that closes each request's database connection. `runserver` keeps them
# (CONN_MAX_AGE is 60) in threads that are gone, and a few hundred requests use up
# PostgreSQL's connections.
SERVE = """
import sys
from django.core.servers.basehttp import ThreadedWSGIServer, run
from django.core.wsgi import get_wsgi_application

class Server(ThreadedWSGIServer):
    request_queue_size = 128  # twenty customers at once are not turned away

run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), server_cls=Server)
"""


class Web:
    """The web side in a process of its own on a free port, with its own broker
    connection, as in production."""

    def __init__(self, env: dict[str, str], logs: Path, port: int) -> None:
        self.env = env
        self.logs = logs
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = _spawn(
            [str(BIN / "python"), "-c", SERVE, str(self.port)],
            log=self.logs / "web.log",
            env=self.env,
        )

        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the web server exited:\n{_tail(self.logs / 'web.log')}")
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/tickets/", timeout=2)
            except urllib.error.HTTPError:
                return True  # 401/403: it is up and asks for a token
            except OSError:
                return False
            return True

        wait_until(answers, timeout=30, what="the web server to answer")

    def stop(self) -> None:
        if self.process is not None:
            _kill_group(self.process, signal.SIGKILL)
            self.process = None


@dataclass
class Answer:
    status: int
    data: dict
    seconds: float


class Api:
    """A customer's HTTP client for /api/v1/, with a token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def request(self, method: str, path: str, payload: dict | None = None) -> Answer:
        body = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=body,
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        seconds = time.monotonic() - started
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw.decode(errors="replace")}
        return Answer(status, data, seconds)

    def file(self, subject: str, body: str, **fields) -> Answer:
        return self.request(
            "POST", "/api/v1/tickets/", {"subject": subject, "body": body, **fields}
        )

    def ticket(self, ticket_id: int) -> dict:
        answer = self.request("GET", f"/api/v1/tickets/{ticket_id}/")
        assert answer.status == 200, answer
        return answer.data


class Desk:
    """The running desk: its Redis, web server, worker and mailbox."""

    def __init__(self, *, redis: RedisServer, web: Web, worker: Worker, env, mail_dir: Path):
        self.redis = redis
        self.web = web
        self.worker = worker
        self.env = env
        self.mail_dir = mail_dir
        self._log_offsets: dict[Path, int] = {}

    def begin_test(self) -> None:
        """Task failures count from here on."""
        self._log_offsets = {p: p.stat().st_size for p in self.worker.logs.glob("worker-*.log")}

    def task_failures(self) -> list[str]:
        """The worker's log lines about failed tasks since the test began: none of
        these tests expects one, and waiting for a task that keeps failing is slow."""
        failures = []
        for path in sorted(self.worker.logs.glob("worker-*.log")):
            with open(path, "rb") as log:
                log.seek(self._log_offsets.get(path, 0))
                lines = log.read().decode(errors="replace").splitlines()
            failures += [
                line for line in lines if "retry: Retry in" in line or "raised unexp" in line
            ]
        return failures

    def assert_no_task_failures(self) -> None:
        failures = self.task_failures()
        assert not failures, "the worker's tasks fail:\n" + "\n".join(failures[:5])

    def api(self, token: str) -> Api:
        return Api(self.web.url, token)

    def sweep(self) -> int:
        """Run the periodic sweep now, in a process of its own as beat would, for
        every ticket still without a decision however young."""
        code = (
            "from datetime import timedelta\n"
            "from tickets.services import tickets_decide_forgotten\n"
            "print(tickets_decide_forgotten(older_than=timedelta(0)))\n"
        )
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return int(done.stdout.strip().splitlines()[-1])

    def mails(self) -> list[email.message.EmailMessage]:
        """Every e-mail the desk has sent so far, parsed."""
        separator = b"\n" + b"-" * 79 + b"\n"
        found = []
        for path in sorted(self.mail_dir.glob("*.eml")):
            for chunk in path.read_bytes().split(separator):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return found

    def logs(self) -> str:
        return (
            f"worker log:\n{_tail(self.worker.log)}\nweb log:\n{_tail(self.web.logs / 'web.log')}"
        )


def _database_url() -> str:
    """The URL of the test database that pytest-django created for this session."""
    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _wait_for_other_sessions_to_close(django_db_blocker) -> None:
    """pytest-django drops the test database at the end; the killed processes'
    sessions must be gone first."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:

        def others() -> int:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

        try:
            wait_until(lambda: others() == 0, timeout=10, what="the subprocesses' sessions")
        except AssertionError:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(scope="module")
def live_desk_settings() -> dict[str, str]:
    """Environment a test module adds for the desk's processes (a module overrides
    this fixture: another mail server, shorter timeouts)."""
    return {}


@pytest.fixture(scope="module")
def live_desk_stack(
    django_db_setup, django_db_blocker, tmp_path_factory, live_desk_settings
) -> Iterator[Desk]:
    """Redis, the web side and a Celery worker on the test database, for one module.
    Whatever happens, every process is killed at the end."""
    logs = tmp_path_factory.mktemp("desk-logs")
    mail_dir = tmp_path_factory.mktemp("desk-mail")
    web_port = free_port()
    broker = RedisServer(logs)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker.url,
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "EMAIL_BACKEND": "tests.tickets.conftest.MailDirBackend",
        "SCOPEDESK_MAIL_DIR": str(mail_dir),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "LOG_LEVEL": "INFO",
        # The web side serves the offer page without collected static files.
        "DEBUG": "1",
        **live_desk_settings,
    }
    web = Web(env, logs, web_port)
    worker = Worker({**env, "DEBUG": "0"}, logs)
    try:
        broker.start()
        web.start()
        worker.start()
        yield Desk(redis=broker, web=web, worker=worker, env=env, mail_dir=mail_dir)
    finally:
        worker.kill()
        web.stop()
        broker.stop()
        _wait_for_other_sessions_to_close(django_db_blocker)


@pytest.fixture
def live_desk(live_desk_stack) -> Desk:
    """The module's desk, for one test."""
    live_desk_stack.begin_test()
    return live_desk_stack
