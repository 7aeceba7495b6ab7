# profdrop — every entry point installs what is missing first (see .ci/install-tools).
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
WASM := target/wasm32-unknown-unknown/release/profdrop.wasm
PORT ?= 8080
# make dist runs binaryen's wasm-opt -O3 over the wasm (smaller download, faster start);
# WASM_OPT=0 skips it (a faster build while iterating).
WASM_OPT ?= 1
WASM_OPT_BIN := .ci/wasm-opt/node_modules/.bin/wasm-opt
# The features Rust's wasm32-unknown-unknown target enables by default.
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue

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
	if [ "$(WASM_OPT)" != 0 ]; then $(WASM_OPT_BIN) -O3 $(WASM_FEATURES) dist.tmp/profdrop_bg.wasm -o dist.tmp/profdrop_bg.wasm; fi
	cp www/index.html www/main.js www/worker.js www/style.css dist.tmp/
	cp testdata/example/heap.pb.gz testdata/example/cpu.pb.gz testdata/example/goroutine.pb.gz dist.tmp/examples/
	rm -rf dist && mv dist.tmp dist
	@echo "dist/ ready: $$(du -sh dist | cut -f1)"

# One self-contained file (every file of dist/ inside it): works opened from file://, no server.
single-file: dist
	python3 tools/single_file.py dist dist/profdrop.html

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
