# Developer shortcuts; each target is exactly what the README and CI run.
.PHONY: setup run test lint bench
setup:
	bash scripts/setup.sh
run:
	./scripts/run
test:
	./scripts/test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy soc
bench:
	for b in bench/bench_*.py; do .venv/bin/python $$b; done
