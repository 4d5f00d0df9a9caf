# Every target sets up .venv first (nothing needs installing by hand).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup generate check golden test lint clean

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

## Lint and type-check the generator and the generated package.
lint: $(STAMP)
	$(PY) -m ruff check generator tests generated
	$(PY) -m black --check --quiet generator tests generated
	$(PY) -m mypy generator
	cd generated && ../$(PY) -m mypy --strict runcomfy_sdk

test: $(STAMP)
	$(PY) -m pytest -q


clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
