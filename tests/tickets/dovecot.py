"""A private Dovecot (Debian's ``dovecot-imapd``) for the tests that read mail over
IMAP: its own config, passwd-file and Maildir under a temporary folder, listening
on 127.0.0.1 at a free port with plaintext login allowed (and imaps on another,
with a self-signed certificate), started and stopped by
the tests themselves. CI needs only the package (``.ci/run`` installs it); the
tests that need it skip where ``dovecot`` is missing.

Messages are delivered with IMAP APPEND, as a mail server's delivery agent
would put them into the mailbox.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from tests.tickets.conftest import _kill_group, _spawn, _tail, free_port, wait_until

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None
)
DOVECOT_MISSING = (
    "needs Dovecot (apt-get install dovecot-imapd)"
    if not DOVECOT
    else "needs openssl, for the test server's certificate"
    if not shutil.which("openssl")
    else ""
)
needs_dovecot = pytest.mark.skipif(bool(DOVECOT_MISSING), reason=DOVECOT_MISSING)

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
info_log_path = {home}/dovecot.log
ssl = yes
ssl_cert = <{home}/cert.pem
ssl_key = <{home}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={home}/mail/%u
}}
mail_location = maildir:~/Maildir
# No chroot: a user that is not root may not, and the tests need no jail.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
"""


class Dovecot:
    """One Dovecot with any number of users (name, password), each with a Maildir."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.port = free_port()
        self.tls_port = free_port()  # imaps, with a self-signed certificate (cert.pem)
        # Not under pytest's tmp_path: as root, Dovecot's own users must reach it,
        # and pytest's folders are private to the user running the tests.
        self.home = Path(tempfile.mkdtemp(prefix="scopedesk-dovecot-"))
        self.process = None

    def start(self) -> None:
        if os.getuid() == 0:
            # Dovecot refuses mail and login processes as root: the package's users.
            internal, login, mail = "dovecot", "dovenull", "dovecot"
        else:
            internal = login = mail = pwd.getpwuid(os.getuid()).pw_name
        mail_entry = pwd.getpwnam(mail)
        self.home.chmod(0o755)
        for folder in ("run", "state", "mail"):
            (self.home / folder).mkdir()
        os.chown(self.home / "mail", mail_entry.pw_uid, mail_entry.pw_gid)
        (self.home / "passwd").write_text(
            "".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in self.users.items())
        )
        # Self-signed for 127.0.0.1: a client must be told to trust it.
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
                *("-keyout", str(self.home / "key.pem"), "-out", str(self.cert)),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            ],
            check=True,
            capture_output=True,
        )
        (self.home / "dovecot.conf").write_text(
            CONFIG.format(
                home=self.home,
                port=self.port,
                tls_port=self.tls_port,
                internal_user=internal,
                internal_group=grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name,
                login_user=login,
                mail_user=mail_entry.pw_uid,
                mail_group=mail_entry.pw_gid,
            )
        )
        self.process = _spawn(
            [DOVECOT, "-F", "-c", str(self.home / "dovecot.conf")],
            log=self.home / "stdout.log",
        )
        wait_until(self.answers, timeout=15, what=f"Dovecot on port {self.port}", detail=self.logs)

    def answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"Dovecot exited:\n{self.logs()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def logs(self) -> str:
        return _tail(self.home / "stdout.log") + "\n" + _tail(self.home / "dovecot.log")

    def stop(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process = None
        shutil.rmtree(self.home, ignore_errors=True)

    @property
    def cert(self) -> Path:
        return self.home / "cert.pem"

    def url(self, user: str, folder: str = "INBOX", *, tls: bool = False) -> str:
        if tls:
            return f"imaps://{user}:{self.users[user]}@127.0.0.1:{self.tls_port}/{folder}"
        return f"imap://{user}:{self.users[user]}@127.0.0.1:{self.port}/{folder}"

    def mailbox(self, user: str) -> MailBoxUnencrypted:
        """A logged-in IMAP client (a context manager) for ``user``."""
        return MailBoxUnencrypted("127.0.0.1", self.port, timeout=10).login(user, self.users[user])

    def deliver(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        with self.mailbox(user) as box:
            if not box.folder.exists(folder):  # a test may run first, in any order
                box.folder.create(folder)
            for raw in messages:
                box.append(raw, folder)

    def count(self, user: str, folder: str = "INBOX") -> int:
        with self.mailbox(user) as box:
            if not box.folder.exists(folder):
                return 0
            box.folder.set(folder)
            return len(box.uids())


def dovecot(users: dict[str, str]) -> Iterator[Dovecot]:
    """For a fixture: a started Dovecot, killed afterwards whatever happens."""
    if DOVECOT_MISSING:
        pytest.skip(DOVECOT_MISSING)
    server = Dovecot(users)
    try:
        server.start()
        yield server
    finally:
        server.stop()
