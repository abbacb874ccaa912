# Kesu: `make run` starts the app, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint pytest bench clean venv

$(STAMP): pyproject.toml scripts/bootstrap.sh
	PYTHON=$(PYTHON) sh scripts/bootstrap.sh $(VENV)
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/kesu demo

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

bench: $(STAMP)
	for f in bench/*.py; do case $$f in */bigdb.py|*/compare_trees.py|*/_*) continue;; esac; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
