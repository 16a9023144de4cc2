# One set of cgo flags and build tags for build, test, vet, bench and CI: any change
# recompiles SQLite (~1.5 min). AVX2 lets sqlite-vec use SIMD for L2 distances.
export CGO_ENABLED := 1
export CGO_CFLAGS  := -O2 -g -DSQLITE_VEC_ENABLE_AVX -mavx -mavx2
export GOFLAGS     := -buildvcs=false -tags=sqlite_fts5,sqlite_math_functions

PKGS ?= ./...
TESTFLAGS ?= -timeout 80m

.PHONY: build deps-build deps test vet fuzz bench demo setup clean

build: deps-build
	go build -o bin/pixplot ./cmd/pixplot

deps-build:
	@./scripts/deps.sh build

vet:
	go vet $(PKGS)

# deps installs Chromium, the sqlite3 CLI, the ONNX Runtime and the model (idempotent).
deps:
	./scripts/deps.sh test

# test ends with a short fuzzing round of every parser of untrusted input
# (TEST_FUZZTIME seconds each, 0 skips it); fuzz runs the same for FUZZTIME.
TEST_FUZZTIME ?= 10
FUZZTIME ?= 120

test: deps vet
	go test $(TESTFLAGS) $(PKGS)
	@[ "$(TEST_FUZZTIME)" = 0 ] || ./scripts/fuzz.sh $(TEST_FUZZTIME)

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

setup: build
	./bin/pixplot setup

demo: build
	./scripts/demo.sh

bench: build
	./scripts/bench.sh $(BENCH)

clean:
	rm -rf bin
