# The two commands of the README: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
LOCK := requirements.lock

.PHONY: mutation-sample demo test lint bench lock clean messages mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Runtime install, pinned by the lock file (used as constraints).
$(VENV)/.runtime: $(BIN)/python pyproject.toml $(LOCK)
	$(PIP) install --quiet -c $(LOCK) -e .
	touch $@

# Development install: runtime plus ruff, mypy, pytest and import-linter.
$(VENV)/.dev: $(BIN)/python pyproject.toml $(LOCK)
	$(PIP) install --quiet -c $(LOCK) -e '.[dev]'
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	$(BIN)/warning demo

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2  # two workers (pytest-xdist); each has its own PostgreSQL database

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

# Mutation testing (docs/testing.md): mutmut mutates warning/review, warning/accounts,
# warning/directory, warning/delivery and rules in a copy under mutants/ and runs the tests
# that reach each mutant (the selection in pyproject.toml, [tool.mutmut]), on SQLite only, at
# low priority. Bounded runs: one package with `make mutation MUTANTS='warning.review.*'`, or
# a seeded sample of N mutants per package with `make mutation-sample SAMPLE=250` (about
# 15,700 mutants in all; a sample of 250 each takes under an hour on two cores). A second run
# resumes; `rm -rf mutants` starts afresh. Prints the score per package with its 95 %
# interval; `mutmut show NAME` shows a survivor.
MUTANTS ?= warning.review.* warning.accounts.* warning.directory.* warning.delivery.* rules.*
SAMPLE ?= 250
MUTMUT = env -u WARNING_TEST_DATABASE_URL nice -n 10 $(BIN)/mutmut
mutation: $(VENV)/.dev
	$(MUTMUT) run --max-children 2 $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/mutmut results --all true | $(BIN)/python scripts/mutation_score.py

mutation-sample: $(VENV)/.dev
	$(MUTMUT) run --max-children 2 'no.such.mutant' >/dev/null 2>&1 || true  # mutants and stats
	mkdir -p var
	$(BIN)/mutmut results --all true | $(BIN)/python scripts/mutation_sample.py $(SAMPLE) > var/mutation-sample.txt
	$(MUTMUT) run --max-children 2 $$(cat var/mutation-sample.txt)
	$(BIN)/mutmut results --all true | $(BIN)/python scripts/mutation_score.py

# Re-resolve the pinned dependency set after changing pyproject.toml.
lock: $(VENV)/.dev
	$(PIP) install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra live --python-version 3.11 --upgrade -o $(LOCK)

# The web pages' translations: extract the messages, merge them into each catalog, compile.
# Translate new entries in warning/web/locale/*/LC_MESSAGES/messages.po, then run it again.
LOCALE := warning/web/locale
messages: $(VENV)/.dev
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output \
		--project=raw-material-warning -o $(LOCALE)/messages.pot warning/web
	$(BIN)/pybabel -q update --no-fuzzy-matching -i $(LOCALE)/messages.pot -d $(LOCALE) -l zh
	$(BIN)/pybabel -q compile --statistics -d $(LOCALE) -l zh

clean:
	rm -rf $(VENV) var/*.db var/*.db-* var/bench mutants
