# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format messages clean replies

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# DEBUG=1: without SECRET_KEY the desk keeps a random key of its own in var/.
# `make run PORT=8080` serves elsewhere; links in e-mails follow (SITE_URL).
# `make run DEMO_AT=weekday` (or DEMO_AT=2026-12-04T10:00) files the demo tickets
# as if they came then, on a database that has none yet.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
DEMO_AT ?=
run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py demodata $(if $(DEMO_AT),--at $(DEMO_AT))
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite in a process per CPU (pytest-xdist; tests/conftest.py keeps the
# worker tests together in one). `make test PARALLEL=` runs it in one process.
PARALLEL ?= -n auto --dist loadgroup
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PARALLEL)

# Every automatic reply (each verdict × language, claims, incident and credit
# notices) in one file for a reviewer: `make replies`, or `make replies OUT=path`.
OUT ?= var/replies.md
replies: $(STAMP)
	DEBUG=1 $(PY) manage.py replies $(OUT)

lint format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-extract and compile the translations (needs GNU gettext; the .mo files are committed).
# Tests and benchmarks are not scanned: a string they look up must not keep an old
# wording alive in the catalogues. Wording that left the code is dropped, not kept as #~.
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l ru -l fi -l lv --no-location --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=1 $(PY) manage.py compilemessages $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) var
