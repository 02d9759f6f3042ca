"""The HTTP side of .ci/production-smoke: standard library only, run by the
fresh virtual environment's Python.

    smoke_client.py wait   BASE_URL              the login page answers 200
    smoke_client.py file   BASE_URL TOKEN STATE  a page and a static file served; tickets
                                                 filed and decided; what was filed to STATE
    smoke_client.py verify BASE_URL TOKEN STATE  the tickets and files in STATE are all there

Every request carries ``X-Forwarded-Proto: https`` and ``X-Forwarded-For``, as
the TLS proxy in front of production does: the production settings redirect
plain HTTP to HTTPS and trust that header, and the smoke test runs them
unchanged. Redirects are not followed; one is a failure. Any failure exits
non-zero with a line that says what failed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid

DECISION_SECONDS = 60
START_SECONDS = 30

# Requests a customer of the example contract might send (any verdict will do;
# what matters is that the worker decides each).
REQUESTS = [
    ("Mail not arriving", "Emails to our mailbox info@ are not arriving since yesterday."),
    ("A plugin, please", "Could you please install the WooCommerce plugin on our WordPress shop?"),
    ("SEO", "Please do search engine optimisation and link building for our shop."),
    ("Call me", "Hello, something is not right, please call me back."),
    ("Site is down", "Our website shows an error 500 since this morning, see the log."),
]


class Failure(Exception):
    pass


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise Failure(f"{req.full_url}: redirected ({code}) to {newurl}")


opener = urllib.request.build_opener(NoRedirects)


def request(
    url: str,
    *,
    token: str = "",
    data: bytes | None = None,
    content_type: str = "",
    timeout: float = 20,
) -> tuple[int, dict[str, str], bytes]:
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
        "Accept-Language": "en",
    }
    if token:
        headers["Authorization"] = f"Token {token}"
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with opener.open(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def expect(url: str, status: int, **kwargs) -> tuple[dict[str, str], bytes]:
    got, headers, body = request(url, **kwargs)
    if got != status:
        raise Failure(f"{url}: expected {status}, got {got}: {body[:300]!r}")
    return headers, body


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for filename, content in files:
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="attachments"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait(base: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(f"{base}/accounts/login/", timeout=2)
            if status == 200:
                return
            last = f"status {status}"
        except (OSError, Failure) as exc:
            last = str(exc)
        time.sleep(0.3)
    raise Failure(f"the login page did not answer 200 within {START_SECONDS} s ({last})")


def page_and_static(base: str) -> None:
    """The login page renders, and its style sheet, named by the manifest, comes
    from whitenoise, compressed and cached for good."""
    _, page = expect(f"{base}/accounts/login/", 200)
    found = re.search(rb'href="(/static/css/scopedesk\.[0-9a-f]{12}\.css)"', page)
    if not found:
        raise Failure("the login page names no hashed style sheet (is the manifest used?)")
    url = f"{base}{found.group(1).decode()}"
    headers, css = expect(url, 200)
    cache = headers.get("Cache-Control", "")
    if "immutable" not in cache or not css.strip():
        raise Failure(f"{url}: not served as a hashed static file (Cache-Control: {cache!r})")


def ready(base: str) -> str:
    """/readyz, where the desk has it, answers 200 once the worker's heartbeat
    has come round (beat sends one every 20 s)."""
    deadline = time.monotonic() + DECISION_SECONDS
    while True:
        status, _, body = request(f"{base}/readyz")
        if status == 404:
            return "no /readyz here"
        if status == 200:
            return "/readyz 200"
        if time.monotonic() > deadline:
            raise Failure(f"/readyz answered {status} for {DECISION_SECONDS} s: {body[:300]!r}")
        time.sleep(1)


def file(base: str, token: str, state_path: str) -> None:
    page_and_static(base)
    api = f"{base}/api/v1"
    files = [("server.log", os.urandom(64 * 1024)), ("screens.zip", os.urandom(300 * 1024))]
    tickets = []
    for number, (subject, body) in enumerate(REQUESTS):
        attached = files if number == len(REQUESTS) - 1 else []
        data, content_type = multipart({"subject": subject, "body": body}, attached)
        _, answer = expect(
            f"{api}/tickets/", 201, token=token, data=data, content_type=content_type
        )
        tickets.append(json.loads(answer))

    deadline = time.monotonic() + DECISION_SECONDS
    decided: dict[int, dict] = {}
    while len(decided) < len(tickets):
        for ticket in tickets:
            if ticket["id"] in decided:
                continue
            _, answer = expect(f"{api}/tickets/{ticket['id']}/", 200, token=token)
            seen = json.loads(answer)
            if (seen.get("scope") or {}).get("verdict"):
                decided[ticket["id"]] = seen
        if len(decided) < len(tickets):
            if time.monotonic() > deadline:
                waiting = sorted({t["id"] for t in tickets} - set(decided))
                raise Failure(f"tickets {waiting} had no decision within {DECISION_SECONDS} s")
            time.sleep(0.5)

    state = {"tickets": [], "files": []}
    for ticket in decided.values():
        state["tickets"].append(
            {"id": ticket["id"], "subject": ticket["subject"], "verdict": ticket["verdict"]}
        )
        for attachment in ticket["attachments"]:
            _, content = expect(f"{api}/attachments/{attachment['id']}/download/", 200, token=token)
            original = dict(files)[attachment["name"]]
            if content != original:
                raise Failure(f"attachment {attachment['name']}: the bytes came back changed")
            state["files"].append(
                {"id": attachment["id"], "sha256": hashlib.sha256(original).hexdigest()}
            )
    if len(state["files"]) != len(files):
        raise Failure(f"{len(state['files'])} of {len(files)} attachments were stored")
    with open(state_path, "w", encoding="utf-8") as out:
        json.dump(state, out)
    verdicts = sorted(t["verdict"] for t in state["tickets"])
    print(
        f"{len(tickets)} tickets decided ({', '.join(verdicts)}), page and static file served,"
        f" {ready(base)}"
    )


def verify(base: str, token: str, state_path: str) -> None:
    with open(state_path, encoding="utf-8") as source:
        state = json.load(source)
    api = f"{base}/api/v1"
    for ticket in state["tickets"]:
        _, answer = expect(f"{api}/tickets/{ticket['id']}/", 200, token=token)
        seen = json.loads(answer)
        for field in ("subject", "verdict"):
            if seen[field] != ticket[field]:
                raise Failure(
                    f"ticket {ticket['id']}: {field} {seen[field]!r}, was {ticket[field]!r}"
                )
    for attachment in state["files"]:
        _, content = expect(f"{api}/attachments/{attachment['id']}/download/", 200, token=token)
        if hashlib.sha256(content).hexdigest() != attachment["sha256"]:
            raise Failure(f"attachment {attachment['id']}: the restored bytes differ")
    print(f"{len(state['tickets'])} tickets and {len(state['files'])} files back")


def main(argv: list[str]) -> int:
    commands = {"wait": wait, "file": file, "verify": verify}
    if len(argv) < 2 or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        commands[argv[0]](*argv[1:])
    except (Failure, OSError, ValueError, KeyError) as exc:
        print(f"smoke {argv[0]}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
