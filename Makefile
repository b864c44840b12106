# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
.PHONY: run test contract venv deploy-venv deploy-check deploy undeploy frontend fmt lint bench lambda fuzz

VENV := .venv
FUZZ_TEST_MS ?= 3000
FUZZ_SECONDS ?= 60
PYTHON ?= python3

## run: build and serve the whole portal on http://127.0.0.1:8080 (PORTAL_ADDR, PORTAL_DATA_DIR)
run: frontend
	cargo run -p portal-local --bin portal

## test: everything CI checks: format, lints, template, all Rust tests with moto, the web app's
## unit tests, its journeys in Chromium against a local portal (with axe checks), and the API
## contract (OpenAPI 3.1 meta-schema, Schemathesis)
test: venv frontend deploy-check
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	# The fuzz targets run here too, on their seeds and random inputs for FUZZ_TEST_MS each.
	BOLERO_RANDOM_TEST_TIME_MS=$(FUZZ_TEST_MS) infra/emulator/with-moto cargo nextest run --workspace --all-features --no-fail-fast
	cd frontend && npm test
	# The admin CLI seeds a journey's data folder (demo data, a paper application) and makes the
	# contract run's officer.
	cargo build -p portal-admin
	# The portal binary nextest built for the local crate's tests (same features: no rebuild).
	cd frontend && PORTAL_BIN=$(TARGET_DIR)/debug/portal PORTAL_ADMIN_BIN=$(TARGET_DIR)/debug/portal-admin npm run e2e
	# The API contract, on the same portal binary.
	$(CONTRACT_RUN)

## contract: the API contract run alone (builds the portal and the admin CLI first): the served
## OpenAPI document against the 3.1 meta-schema, then Schemathesis as an applicant and as an officer
## (tests/contract/run.py; CONTRACT_SEED, CONTRACT_MAX_EXAMPLES to explore beyond CI's bound)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
CONTRACT_RUN = $(VENV)/bin/python tests/contract/run.py --portal $(TARGET_DIR)/debug/portal --admin $(TARGET_DIR)/debug/portal-admin
contract: venv
	cargo build -p portal-local --bin portal
	cargo build -p portal-admin
	$(CONTRACT_RUN)

## venv: the Python tools the tests use (moto, schemathesis, openapi-spec-validator), pinned in infra/emulator/requirements.txt
venv: $(VENV)/.installed
$(VENV)/.installed: infra/emulator/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/emulator/requirements.txt
	touch $@

## deploy-venv: the deploy tools (aws-sam-translator, cfn-lint, checkov), pinned in infra/deploy/requirements.txt
DEPLOY_VENV := .venv-deploy
deploy-venv: $(DEPLOY_VENV)/.installed
$(DEPLOY_VENV)/.installed: infra/deploy/requirements.txt
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/deploy/requirements.txt
	touch $@

## deploy-check: what can be known of a deploy without an AWS account: both templates linted, the
## SAM template transformed offline into plain CloudFormation and that linted too, the
## infrastructure scan with no failed check (skips and their reasons: infra/deploy/checkov.yaml),
## and the deploy script's own tests (stages, no credentials)
deploy-check: deploy-venv
	$(DEPLOY_VENV)/bin/cfn-lint template.yaml infra/edge.yaml
	mkdir -p $(TARGET_DIR)/deploy-check
	$(DEPLOY_VENV)/bin/python infra/deploy/transform.py template.yaml $(TARGET_DIR)/deploy-check/template.json
	$(DEPLOY_VENV)/bin/cfn-lint $(TARGET_DIR)/deploy-check/template.json
	$(DEPLOY_VENV)/bin/checkov --config-file infra/deploy/checkov.yaml -f template.yaml -f infra/edge.yaml
	$(DEPLOY_VENV)/bin/python -m unittest discover -s infra/deploy -p 'test_*.py'

## deploy: the stack of STAGE (infra/stages/STAGE/samconfig.toml) to the AWS account of the
## environment's credentials, then the web app, a CloudFront invalidation and a smoke check
## (infra/deploy/deploy.py); undeploy: that stack deleted, its data kept
STAGE ?= dev
deploy: deploy-venv
	$(DEPLOY_VENV)/bin/python infra/deploy/deploy.py deploy $(STAGE)
undeploy: deploy-venv
	$(DEPLOY_VENV)/bin/python infra/deploy/deploy.py undeploy $(STAGE)

## frontend: the web app built into frontend/dist (npm packages pinned by package-lock.json)
# src/api/schema.d.ts is generated from openapi.json by `npm run gen:api` and committed (tests fail
# when either is stale), never regenerated here: a build must not hide a stale copy.
FRONTEND_SOURCES := $(shell find frontend/src frontend/tests/unit -type f) frontend/openapi.json frontend/index.html frontend/checkout.html \
	frontend/vite.config.ts frontend/tsconfig.json
frontend: frontend/dist/index.html
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

fmt:
	cargo fmt --all

## bench: cold-start init of /api/me vs a hello lambda_http function, handler latency, identity costs, presigning, payment webhooks (verification, fulfilment),
## booking throughput on one hot slot under contention (bookings and 409s per second, against slots with room),
## the local portal's account routes under load (enumeration timing, peak memory under 200 sign-ins),
## and its request path under load beside a bare axum server (Debian's wrk, installed here if missing);
## every function's init, warm invocations (p50/p99) and peak memory after 1,000 of them, and a
## cold start plus first read over TLS under a 128 MB function's CPU share (a cgroup: needs root)
bench:
	cargo build --release -p portal-bench -p portal-local $(addprefix -p ,$(FUNCTIONS))
	target/release/coldstart target/release/profile target/release/hello
	target/release/lambda-functions target/release
	# Its cgroup needs root and the cgroup v1 cpu controller: without them it says so and the rest stands.
	if [ "$$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/cpu ]; then target/release/cold-request target/release; \
	else echo "cold-request skipped: it needs root and the cgroup v1 cpu controller (/sys/fs/cgroup/cpu)"; fi
	target/release/handler-latency
	target/release/identity-costs
	target/release/presign
	target/release/webhooks
	target/release/booking
	target/release/account-load target/release/portal
	command -v wrk >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)
	# The bench (and the access log it drains) on core 1 with wrk; each server it starts on core 0.
	taskset -c 1 target/release/request-path target/release/portal target/release/bare-axum

## The function crates: each directory of functions/ is the crate portal-<dir> with the binary
## <dir> that template.yaml names (tests/tests/api/template.rs holds them to that).
FUNCTIONS := $(patsubst functions/%/Cargo.toml,portal-%,$(wildcard functions/*/Cargo.toml))

## lambda: arm64 Lambda bootstraps of every function (cargo-lambda from the venv, zig included)
lambda: venv
	$(VENV)/bin/pip install --quiet --disable-pip-version-check cargo-lambda
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" cargo lambda build --release --arm64 $(addprefix -p ,$(FUNCTIONS))

## fuzz: every fuzz target (fuzz/src/targets.rs) coverage-guided for FUZZ_SECONDS each, with
## libFuzzer through cargo-bolero on stable Rust (no sanitizer: those need nightly). The
## instrumented build goes to target/x86_64-unknown-linux-gnu/fuzz, apart from every other build.
fuzz:
	command -v cargo-bolero >/dev/null || cargo install --locked cargo-bolero
	set -e; for target in $$(cargo test -q -p portal-fuzz --lib -- --list --format terse | sed -n 's/: test$$//p'); do \
	  cargo bolero test -p portal-fuzz --sanitizer NONE --target-dir target -T $(FUZZ_SECONDS)s $$target; \
	done
