# Cohort — the two Quick start commands are `make demo` and `make test`.
BUILD_DIR ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
DEMO_DB ?= demo.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all build setup demo test test-sanitize test-asan test-tsan fuzz bench clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOHORT_WERROR=ON $(CMAKE_FLAGS)

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@if [ ! -f $(DEMO_DB) ]; then $(BUILD_DIR)/cohort demo --db $(DEMO_DB); \
	 else echo "Using the existing $(DEMO_DB) (delete it to start afresh)."; cat $(DEMO_DB).sign-in.txt 2>/dev/null || true; fi
	@echo "Open http://$(LISTEN)/ in a browser and sign in with one of the emails and passwords above:"
	@echo "  the account manager and the executive see the whole account, the group manager their groups,"
	@echo "  the learner their own progress."
	@echo "Try the API with the token above (TOKEN), e.g.:"
	@echo "  curl -H 'Authorization: Bearer TOKEN' http://$(LISTEN)/api/v1/courses"
	@echo "  curl -H 'Authorization: Bearer TOKEN' 'http://$(LISTEN)/api/v1/courses/python-fundamentals/users?sort=mastery&order=desc&limit=10'"
	$(BUILD_DIR)/cohort serve --db $(DEMO_DB) --listen $(LISTEN)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600 || \
	  { bash $(CURDIR)/scripts/failed-tests.sh .; exit 1; }
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-15}

# The whole CTest suite again under AddressSanitizer + UndefinedBehaviorSanitizer, then under
# ThreadSanitizer (each in its own build dir, -O1, without the benchmarks); any finding fails
# the run. Built with clang (installed for the fuzzers): it compiles these trees ~35 % faster
# than g++ and its TSan runtime runs the suite ~40 % faster (docs/reliability.md, Sanitizers);
# the release build stays g++ 12. CI runs `make test`, `make test-asan` and `make test-tsan`.
SANITIZE_CC ?= clang
SANITIZE_CXX ?= clang++
SANITIZE_CMAKE = -G Ninja -DCMAKE_C_COMPILER=$(SANITIZE_CC) -DCMAKE_CXX_COMPILER=$(SANITIZE_CXX) \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCOHORT_BENCHMARKS=OFF $(CMAKE_FLAGS)
# Three tests at a time on the 2 cores: many of them wait (sign-in throttling, restarts).
SANITIZE_CTEST = ctest --output-on-failure -j $$(( $(JOBS) + 1 )) --timeout 900

test-sanitize: test-asan test-tsan

test-asan: setup
	cmake -S . -B build-asan $(SANITIZE_CMAKE) -DCOHORT_SANITIZE=address
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 $(SANITIZE_CTEST) || \
	  { bash $(CURDIR)/scripts/failed-tests.sh .; exit 1; }

test-tsan: setup
	cmake -S . -B build-tsan $(SANITIZE_CMAKE) -DCOHORT_SANITIZE=thread
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(SANITIZE_CTEST) || \
	  { bash $(CURDIR)/scripts/failed-tests.sh .; exit 1; }

# The libFuzzer targets for 10 minutes each (make test runs them for 15 s).
fuzz: setup
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-600}

bench: build
	$(BUILD_DIR)/bench/cohort_bench_ingest --benchmark_counters_tabular=true
	COHORT_BENCH_SCALE=$${COHORT_BENCH_SCALE:-M} $(BUILD_DIR)/bench/cohort_bench_engine
	COHORT_BENCH_SCALE=$${COHORT_BENCH_SCALE:-M} $(BUILD_DIR)/bench/cohort_bench_export --benchmark_counters_tabular=true
	$(BUILD_DIR)/cohort bench --scale $${COHORT_BENCH_SCALE:-M} --json $(BUILD_DIR)/bench-$${COHORT_BENCH_SCALE:-M}.json

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz
