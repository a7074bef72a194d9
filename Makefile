# logwarden: set-up and the two everyday jobs.
#   make demo   builds a sample host's logs and shows what logwarden reads from them
#   make test   installs what the tests need (reference tools included) and runs them
# Both start from nothing: a fresh machine needs only Python 3.11+, pip, gcc and apt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The classic tools the differential tests compare against, by Debian package.
APT_PACKAGES := acct faketime util-linux procps coreutils login rsyslog openssl chromium
DEMO_DIR ?= demo-host

.PHONY: demo test lint typecheck check bench reference-tools clean

# atheris (coverage-guided fuzzing, tests/fuzz/run.py) comes as binary wheels only: where
# there is none for the machine, the fuzz targets run on their seed corpus alone.
# The sources are compiled once here: where PYTHONDONTWRITEBYTECODE is set, every run of a
# tool would otherwise compile its modules again.
$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --only-binary=:all: 'atheris>=2.3' \
		|| echo "atheris has no wheel for this machine: the fuzz targets run on their seeds only"
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

reference-tools:
	@bash tools/install-reference-tools $(APT_PACKAGES)

demo: $(STAMP)
	$(BIN)/logwarden demo --dir $(DEMO_DIR)

test: $(STAMP) reference-tools
	$(BIN)/python -m pytest -n auto -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP) reference-tools
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
