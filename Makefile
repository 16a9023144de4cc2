# One set of cgo flags and build tags for build, test, vet, bench and CI: any change
# recompiles SQLite (~1.5 min). AVX2 lets sqlite-vec use SIMD for L2 distances.
export CGO_ENABLED := 1
export CGO_CFLAGS  := -O2 -g -DSQLITE_VEC_ENABLE_AVX -mavx -mavx2
export GOFLAGS     := -buildvcs=false -tags=sqlite_fts5,sqlite_math_functions

PKGS ?= ./...
TESTFLAGS ?= -timeout 80m

.PHONY: build deps-build deps test vet fuzz bench demo setup clean viewer-data

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

# viewer-data regenerates the geographic layout's base map (viewer/web/data/land.json, committed)
# from Natural Earth 1:110m land in the npm package world-atlas, pinned and checked by SHA-256.
LAND_PKG    := world-atlas-2.0.2
LAND_SHA256 := 032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97
LAND_CACHE  := $(or $(PIXPLOT_CACHE),$(HOME)/.cache/pixplot)/$(LAND_PKG)

viewer-data:
	mkdir -p $(LAND_CACHE)
	cd $(LAND_CACHE) && { [ -f $(LAND_PKG).tgz ] || npm pack --silent world-atlas@2.0.2 >/dev/null; } \
		&& echo "$(LAND_SHA256)  $(LAND_PKG).tgz" | sha256sum -c --quiet \
		&& tar xzf $(LAND_PKG).tgz package/land-110m.json
	go run ./viewer/internal/landgen -in $(LAND_CACHE)/package/land-110m.json -out viewer/web/data/land.json

clean:
	rm -rf bin
