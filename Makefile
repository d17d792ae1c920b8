# Two commands: `make serve` (build from seeds/ and serve on http://127.0.0.1:8001) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/hindsight: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: install build serve test
install: $(BIN)/hindsight

build: install
	$(BIN)/hindsight build

serve: install
	$(BIN)/hindsight serve --rebuild

test: install
	$(BIN)/pytest -q
