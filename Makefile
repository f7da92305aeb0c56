# The two commands of the README:
#   make briefing   installs what is missing, then builds build/briefing.pdf from seeds/
#   make test       installs what is missing (every extra and the test tools too), then runs the test suite
#   make test-fast  the tests that render nothing and start no server (docs/development.md)
# One test process more than the cores: the Celery tests spend much of their minute waiting on real
# timeouts (a lost worker's redelivery), and the extra process keeps the cores busy meanwhile.
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: briefing test test-fast handouts weekly serve preview check doctor regen docs wheel clean

briefing:
	@bash scripts/setup.sh
	.venv/bin/reports build

test:
	@bash scripts/setup.sh --test
	.venv/bin/python -m pytest -n $(TEST_PROCESSES)

test-fast:
	@bash scripts/setup.sh --test
	.venv/bin/python -m pytest -n auto -m "not render and not server and not redis and not mutation and not corpus"

handouts:
	@bash scripts/setup.sh
	.venv/bin/reports handout --all

weekly:
	@bash scripts/setup.sh
	.venv/bin/reports weekly

# The service and the preview need the serve extra (FastAPI, uvicorn); the other targets the base install.
serve:
	@bash scripts/setup.sh --extra serve
	.venv/bin/reports serve

preview:
	@bash scripts/setup.sh --extra serve
	.venv/bin/reports preview

check:
	@bash scripts/setup.sh
	.venv/bin/reports check

doctor:
	@bash scripts/setup.sh
	.venv/bin/reports doctor

# Regenerate the golden files (tests/**/test_*/) and the seed files' JSON Schemas (seeds/schemas/);
# read the diff before committing it.
regen:
	@bash scripts/setup.sh --test
	.venv/bin/reports schema -o seeds/schemas
	.venv/bin/python -m pytest --force-regen -q || true
	.venv/bin/python -m pytest -q

# The documentation site (docs/, mkdocs.yml) in build/site/; --strict fails on a broken link.
docs:
	@bash scripts/setup.sh --test
	.venv/bin/mkdocs build --strict

# The package as a wheel in dist/, to install where the repository is not (docs/deployment.md). setuptools
# works in build/lib, emptied first: a file deleted from the repository must not stay in the wheel.
wheel:
	@bash scripts/setup.sh
	rm -rf build/lib build/bdist.*
	.venv/bin/python -m pip wheel --quiet --no-deps -w dist .

clean:
	rm -rf build dist
