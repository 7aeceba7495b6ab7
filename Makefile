# profdrop — every entry point installs what is missing first (see .ci/install-tools).
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
WASM := target/wasm32-unknown-unknown/release/profdrop.wasm
PORT ?= 8080

.PHONY: help tools dist single-file serve test lint test-native test-wasm test-e2e bench fixtures fuzz clean

help:
	@echo "make serve   install what is missing, build, serve on http://127.0.0.1:$(PORT)"
	@echo "make test    every test: native, conformance, wasm (Chromium), end to end (Chromium)"
	@echo "make dist    the static site in dist/ (relative URLs: works under any sub-path)"
	@echo "make single-file  dist/profdrop.html: the whole page in one file, works from file://"
	@echo "make bench   benchmarks (native throughput + browser), printed as one table"

tools:
	@bash .ci/install-tools

dist: tools
	$(CARGO) build --release --target wasm32-unknown-unknown --features web --lib
	rm -rf dist.tmp && mkdir -p dist.tmp/examples
	wasm-bindgen --target web --no-typescript --out-dir dist.tmp --out-name profdrop $(WASM)
	cp www/index.html www/main.js www/worker.js www/style.css dist.tmp/
	cp www/graph-worker.js dist.tmp/ && mkdir -p dist.tmp/vendor
	cp www/vendor/node_modules/@hpcc-js/wasm-graphviz/dist/index.js dist.tmp/vendor/graphviz.js
	cp www/vendor/node_modules/@hpcc-js/wasm-graphviz/LICENSE dist.tmp/vendor/graphviz.LICENSE
	cp testdata/example/heap.pb.gz testdata/example/cpu.pb.gz testdata/example/goroutine.pb.gz dist.tmp/examples/
	rm -rf dist && mv dist.tmp dist
	@echo "dist/ ready: $$(du -sh dist | cut -f1)"

# One self-contained file (every file of dist/ inside it): works opened from file://, no server.
single-file: dist
	python3 .ci/single_file.py dist dist/profdrop.html

serve: dist
	@echo "profdrop on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	cd dist && python3 -m http.server $(PORT) --bind 127.0.0.1

test: tools lint test-native single-file test-wasm test-e2e

# Formatting (rustfmt.toml) and clippy with warnings as errors, native and web builds.
lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --features reference -- -D warnings
	$(CARGO) clippy --target wasm32-unknown-unknown --features web --lib --test wasm -- -D warnings

test-native:
	$(CARGO) test --release --features reference

test-wasm:
	CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 $(CARGO) test --release --target wasm32-unknown-unknown --features web --test wasm

test-e2e:
	bash tests/e2e/run.sh

bench: tools
	bash .ci/bench

fixtures:
	bash testdata/gen/run.sh

clean:
	rm -rf dist dist.tmp target
