# The two commands a newcomer needs are `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock | sha256sum | cut -c1-12)

# `make test` runs against PostgreSQL and Redis on this machine unless these are overridden.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/optout
TEST_REDIS ?= redis://127.0.0.1:6379
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS)/0 CACHE_URL=$(TEST_REDIS)/1
# The suite runs in one pytest-xdist process per core, at most 8: worker N uses Redis
# databases 2N and 2N+1 (tests/settings.py), and Redis has 16.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 8 ? 8 : n )))

.PHONY: run test lint format install messages makemessages bench long-tests lock clean

$(STAMP): requirements.lock requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (see README.md)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

messages: install
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity=0

makemessages: install
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages --locale=sv --ignore=.venv --ignore=var --ignore=bench --ignore=tests --no-obsolete --no-wrap

run: messages
	scripts/run-dev

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(BIN)/python scripts/check_messages.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint messages
	$(TEST_ENV) $(BIN)/pytest --create-db -n $(TEST_WORKERS) --dist loadgroup

long-tests: messages
	$(TEST_ENV) OPTOUT_LONG_TESTS=1 $(BIN)/pytest -m "slow or not slow"

bench: messages
	$(TEST_ENV) $(BIN)/python bench/run.py

lock:
	scripts/lock

clean:
	rm -rf var staticfiles .mypy_cache .ruff_cache
