# PMP portāls — the two commands the README promises: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/pmp_portal

.PHONY: demo test install lint check pytest pytest-postgres browser messages clean

$(STAMP): requirements.lock
	@if [ ! -x $(PY) ]; then \
		PYBIN=$$(scripts/find-python.sh) && echo "Using $$PYBIN" && "$$PYBIN" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data
	@echo "PMP portāls: http://127.0.0.1:8000  (Ctrl+C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check: install
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production ALLOWED_HOSTS=pmp.example.lv \
		SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		$(PY) manage.py check --deploy --fail-level WARNING

pytest: install
	$(PY) -m pytest

pytest-postgres: install
	PG_URL=$(PG_URL) PY=$(PY) scripts/test-postgres.sh

browser: install
	$(PY) -m pytest -m browser

test: lint check pytest pytest-postgres

# Refresh the translation catalogues after changing strings (needs gettext).
messages: install
	$(PY) manage.py makemessages -l en -l lv --no-obsolete --add-location file
	$(PY) scripts/update_catalogues.py
	$(PY) manage.py compilemessages

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output .pytest_cache .ruff_cache
