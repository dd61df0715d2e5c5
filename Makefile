# bihuan - thin wrapper over CMake + Ninja + CTest.
#
#   make          build build/bihuan and the web console (web/dist)
#   make test     install dependencies, build (strict), run every test,
#                 then again under AddressSanitizer + UBSan, the API tests
#                 under ThreadSanitizer, and the fuzz targets briefly
#   make run      install dependencies, build, run the program
#   make deps     install the Debian packages the build and tests need
#   make clean    remove the build trees

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
CMAKE_FLAGS ?=

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20

.PHONY: all build web deps test test-plain test-asan test-tsan fuzz run clean format

all: build

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja web
	ninja -C $(BUILD)

# The web console: npm packages from the lock file, then vite.
web:
	./scripts/web.sh

deps:
	./scripts/deps.sh

test: deps
	$(MAKE) test-plain test-asan test-tsan fuzz

test-plain: web
	cmake -S . -B $(BUILD) -G Ninja -DBIHUAN_WERROR=ON $(CMAKE_FLAGS)
	ninja -C $(BUILD)
	cd $(BUILD) && ctest --output-on-failure

test-asan: web
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DBIHUAN_WERROR=ON \
	    -DSANITIZER=address,undefined -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	ninja -C $(ASAN_BUILD)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure

# The black-box API tests (tests/api, CTest names api*) and the store
# contract suite (store*, with its racing writers) against a server and store
# built with ThreadSanitizer: the first data race stops it (exit 66), so
# the test that drove it fails.
test-tsan: web
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DBIHUAN_WERROR=ON \
	    -DSANITIZER=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	ninja -C $(TSAN_BUILD)
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	    ctest --output-on-failure -R '^(api|store)'

# Each libFuzzer target for FUZZ_SECONDS on its seed corpus (new inputs go
# to a scratch directory, not into the tree).
fuzz:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -G Ninja -DBIHUAN_FUZZ=ON -DBIHUAN_WERROR=ON \
	    -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	ninja -C $(FUZZ_BUILD)
	./scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

run: deps build
	./scripts/run.sh $(BUILD)/bihuan

format:
	clang-format -i src/*.c src/*/*.c src/*/*.h tests/unit/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
