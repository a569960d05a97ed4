# mgtrade: `make run` starts the app with demo data and a worker; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Debian packages the app needs: fast font subsetting for WeasyPrint, CJK fonts for buyers'
# names and documents in Japanese, Korean and Chinese, gettext's msgfmt for the translation
# catalogues (compilemessages), pdftotext for tests, chromium for the browser tests.
APT_RUN := libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core gettext
APT_TEST := $(APT_RUN) poppler-utils chromium

.PHONY: run test lint typecheck migrate demo system-deps system-deps-test worker web clean deps messages makemessages

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

# The virtualenv with every pinned dependency (.ci/run needs moto's server before the tests).
deps: $(STAMP)

system-deps:
	@./.ci/apt-ensure $(APT_RUN)

system-deps-test:
	@./.ci/apt-ensure $(APT_TEST)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

# The buyers' languages (docs/i18n.md): the .po catalogues in locale/ are the source, the
# .mo files are build products (gitignored), compiled by `make run` and `make test`.
messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=var

# After marking new strings: update every catalogue, then translate the new entries.
makemessages: $(STAMP)
	$(PY) manage.py makemessages -l de -l ja -l ko -l tr -l pt_BR -l zh_Hans \
		--ignore=$(VENV) --ignore=tests --ignore=bench --ignore=var --no-obsolete

# The demo data, and the reports' table built from it at once (beat rebuilds it every 10 min).
demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py reports_refresh

# The web server and a worker with beat (Procfile), run by scripts/run.py: it prints the
# URL once the server answers, and one Ctrl-C stops both cleanly.
run: system-deps $(STAMP) messages demo
	@$(PY) scripts/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Types of the pricing engine and the services (config and file list in pyproject.toml).
typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Local runs keep the test database between runs (--reuse-db) and rebuild it when a
# migration changed; CI (CI=true) always builds it afresh.
ifeq ($(CI),true)
PYTEST_DB :=
else
MIGRATIONS_SUM := $(shell cat $(sort $(wildcard */migrations/*.py */*/migrations/*.py)) | cksum | cut -d' ' -f1)
TEST_DB_STAMP := var/.test-db-$(MIGRATIONS_SUM)
PYTEST_DB := --reuse-db $(if $(wildcard $(TEST_DB_STAMP)),,--create-db)
endif

test: system-deps-test $(STAMP) messages lint typecheck
ifneq ($(CI),true)
	@mkdir -p var && rm -f var/.test-db-* && touch $(TEST_DB_STAMP)
endif
	$(VENV)/bin/pytest $(PYTEST_DB) $(PYTEST_ARGS)

clean:
	rm -rf var db.sqlite3 staticfiles
