# bonafide: entry points. `make demo` and `make test` work on a fresh Debian 12 machine as root:
# `setup` installs what is missing (scripts/setup.sh, idempotent).
#
#   make build      Release build in build/ (cmake -G Ninja)
#   make demo       build, then scripts/demo.sh
#   make test       Release build + all ctest tests; one clang sanitizer build (build-san/: ASan +
#                   UBSan, libraries instrumented for libFuzzer) + its unit tests + every fuzz target
#                   for FUZZ_SECONDS each, FUZZ_JOBS at a time.
#                   The last line printed is ctest's summary of the Release run.
#   make bench      Release build of bonafide_bench, bonafide_http_bench and bonafide_verifier_bench, then runs them
#   make fuzz       only the fuzz stage (FUZZ_SECONDS=300 make fuzz for a longer run)
#   make format-check / make tidy   clang-format / clang-tidy over src/ (not part of `make test`)
#   make clean
#
# Directories and knobs can be overridden: make test BUILD_DIR=build-me SAN_DIR=...

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
# Stages share build directories and run in order; never in parallel (use JOBS for ninja).
.NOTPARALLEL:

JOBS ?= 2
BUILD_DIR ?= build
SAN_DIR ?= build-san
FUZZ_SECONDS ?= 15
FUZZ_JOBS ?= $(JOBS)
# Tests spend much of their time waiting on the processes and servers they start, so ctest runs
# more of them at once than there are cores.
CTEST_JOBS ?= 3
CMAKE_EXTRA ?=

CTEST_LOG := $(BUILD_DIR)/ctest-release.log
# Sanitizer reports abort the test (UBSan is also built with -fno-sanitize-recover=all).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: setup build demo test test-release san-configure test-asan test-fuzz fuzz fuzz-build bench clean format-check tidy

setup:
	bash scripts/setup.sh

build: setup
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_EXTRA)
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@if [ ! -f scripts/demo.sh ]; then \
	  echo "make demo: scripts/demo.sh does not exist yet" >&2; exit 1; \
	fi
	BONAFIDE_BUILD_DIR=$(abspath $(BUILD_DIR)) bash scripts/demo.sh

test: setup test-release test-asan test-fuzz
	@echo "==== make test: all stages passed; Release ctest summary:"
	@grep -E '^[0-9]+% tests passed' $(CTEST_LOG) | tail -n 1

# Stage 1: the Release build and every registered test.
test-release: build
	@echo "==== make test: Release ctest ($(BUILD_DIR))"
	cd $(BUILD_DIR) && ctest --output-on-failure --no-tests=error -j $(CTEST_JOBS) 2>&1 | tee $(abspath $(CTEST_LOG))

# Stages 2 and 3 share one clang build (CMakeLists.txt, BONAFIDE_FUZZ): libraries at -O1 -g
# without NDEBUG (assertions on) with ASan, UBSan and libFuzzer coverage; tests with ASan and UBSan.
san-configure: setup
	cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DBONAFIDE_FUZZ=ON -DBONAFIDE_BENCH=OFF $(CMAKE_EXTRA)

# Stage 2: every gtest test under ASan + UBSan.
test-asan: san-configure
	@echo "==== make test: ASan+UBSan unit tests ($(SAN_DIR))"
	cmake --build $(SAN_DIR) -j $(JOBS)
	cd $(SAN_DIR) && $(SAN_ENV) ctest --output-on-failure --no-tests=error -j $(CTEST_JOBS) -L unit

# Stage 3: each target from the list fuzz/CMakeLists.txt writes, bounded.
fuzz-build: san-configure
	@echo "==== make test: fuzz build ($(SAN_DIR))"
	cmake --build $(SAN_DIR) -j $(JOBS) --target $$(cut -d' ' -f1 $(SAN_DIR)/fuzz/fuzz_targets.txt)

test-fuzz: fuzz-build
	@echo "==== make test: fuzzing each target for $(FUZZ_SECONDS)s, $(FUZZ_JOBS) at a time"
	FUZZ_JOBS=$(FUZZ_JOBS) bash scripts/fuzz.sh $(SAN_DIR) $(FUZZ_SECONDS)

fuzz: test-fuzz

bench: build
	cmake -S . -B $(BUILD_DIR) -DBONAFIDE_BENCH=ON
	cmake --build $(BUILD_DIR) -j $(JOBS) --target bonafide_bench bonafide_http_bench bonafide_verifier_bench
	"$$(find $(BUILD_DIR) -name bonafide_bench -type f -perm -u+x | head -n 1)"
	"$(BUILD_DIR)/bench/bonafide_http_bench" --seconds 5 --workers 2 --clients 16 --batch 3
	"$(BUILD_DIR)/bench/bonafide_verifier_bench" --seconds 5
	"$(BUILD_DIR)/bench/bonafide_verifier_bench" --sessions 10000

format-check:
	find src tests/*/ fuzz bench -name '*.h' -o -name '*.cc' | grep -v '^tests/vectors/' \
	  | xargs clang-format --dry-run -Werror

tidy: build
	find src -name '*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet --extra-arg=-Wno-unknown-warning-option

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR)
