# Every target sets up .venv first (nothing needs installing by hand).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup generate check golden test lint bench fuzz demo clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Regenerate generated/ from schemas/ (writes only when every schema is valid).
generate: $(STAMP)
	$(PY) -m generator generate

## Fail, with diffs, if generated/ is not what the generator makes now.
check: $(STAMP)
	$(PY) -m generator check

## Rewrite the golden trees under tests/golden/ after a reviewed change.
golden: $(STAMP)
	$(PY) -m pytest -q tests/golden --update-goldens

## Format check of the generator and tests (generated code is formatted by the generator).
lint: $(STAMP)
	$(PY) -m black --check generator tests templates
	$(PY) -m ruff check generator tests templates
	$(PY) -m mypy generator

## Lint and type-check the generator, then run every test (golden, e2e, generated-code checks).
test: $(STAMP)
	$(PY) -m ruff check generator tests templates
	$(PY) -m mypy generator
	$(PY) -m pytest -q

## Print how generation and the generated SDK scale, as ratios to baselines of the same run.
bench: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	$(PY) -m generator.bench

## The long robustness profile: more random schemas through the pipeline, more kills of generate.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=10000 $(PY) -m tests.fuzz
	KILL_TRIALS=25 $(PY) -m pytest -q tests/test_hostile_input.py tests/test_kill_safety.py
	LAYOUT_EXAMPLES=1000 $(PY) -m pytest -q tests/test_render.py -k what_black_makes

## Start the local server and make a first/last-frame video through the generated SDK.
demo: $(STAMP)
	$(PY) -m generator.demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
