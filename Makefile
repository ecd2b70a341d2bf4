# Sluice: `make run` builds and starts the server on the default config; `make test` runs the
# test suite. Both install the Debian packages they need first.

SWIFT ?= swift
CONFIG ?= config/sluice.json

# Build: libsrt (the GnuTLS build Debian's libavformat already links) and FFmpeg's libraries.
BUILD_PACKAGES := pkg-config libsrt-gnutls-dev libavformat-dev libavcodec-dev libavutil-dev
# Tests push real streams with ffmpeg, check /metrics with promtool and scrape it with a real
# Prometheus server (both from the prometheus package), and poll it with curl. The cluster's
# tests run a real three-member etcd (etcd-server), read through its JSON gateway with curl.
TEST_PACKAGES := ffmpeg prometheus curl etcd-server

.PHONY: deps test-deps bench-deps soak-deps build release run test fuzz sanitize bench soak fixtures format clean

deps:
	@scripts/ensure-packages.sh $(BUILD_PACKAGES)

test-deps: deps
	@scripts/ensure-packages.sh $(TEST_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	$$($(SWIFT) build -c release --show-bin-path)/sluice --config $(CONFIG)

test: test-deps
	$(SWIFT) build --build-tests
	SLUICE_BINARY=$$($(SWIFT) build --show-bin-path)/sluice $(SWIFT) test

# Fuzzing: each libFuzzer target (stream ids, configuration files, the demuxer over AVIO) runs
# for FUZZ_SECONDS on its seed corpus in fuzz/corpus; see scripts/fuzz.sh for where the new
# corpus entries and any findings go.
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 60
FUZZ_TARGETS ?= stream-id config demuxer

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_TARGETS)

# The test suite under AddressSanitizer, then ThreadSanitizer, each in its own build directory
# (scripts/sanitize.sh); sanitizers/ holds the suppressions for what is not Sluice's.
sanitize: test-deps
	SWIFT=$(SWIFT) scripts/sanitize.sh address
	SWIFT=$(SWIFT) scripts/sanitize.sh thread

# Benchmarks compare against srt-live-transmit (srt-tools) and ffmpeg, plot with gnuplot, and run
# the cluster scenario on a real three-member etcd (etcd-server).
BENCH_PACKAGES := ffmpeg srt-tools gnuplot-nox python3 etcd-server

bench-deps: deps
	@scripts/ensure-packages.sh $(BENCH_PACKAGES)

bench: bench-deps
	$(SWIFT) build -c release --product sluice
	$(SWIFT) build -c release --product sluice-load
	$(SWIFT) build -c release --product sluice-floor
	$(SWIFT) build -c release --product sluice-read
	$(SWIFT) build -c release --product sluice-bench
	SLUICE_BIN_DIR=$$($(SWIFT) build -c release --show-bin-path) python3 bench/run.py

# Soak (not in CI): SOAK_MINUTES (30) of SOAK_PUBLISHERS (32) publishers with churn and readers;
# makes its fixture with ffmpeg, and reads with ffmpeg when readers come over SRT.
SOAK_PACKAGES := ffmpeg python3

soak-deps: deps
	@scripts/ensure-packages.sh $(SOAK_PACKAGES)

soak: soak-deps
	$(SWIFT) build -c release --product sluice
	$(SWIFT) build -c release --product sluice-load
	SLUICE_BIN_DIR=$$($(SWIFT) build -c release --show-bin-path) python3 bench/soak.py

fixtures: test-deps
	fixtures/make-fixtures.sh

format:
	$(SWIFT) format --in-place --recursive --parallel Sources Tests Package.swift

clean:
	rm -rf .build
