// Package servertest builds the catalog that the server and export tests run
// on: real emoji images put through the real ingest (real decoding,
// thumbnails and model), with one ready plot computed by the real plot
// pipeline. It is built once per test binary; each test gets its own copy.
//
// Without the model cache (`pixplot setup`) or the emoji sample, tests are
// skipped, except with CI=true, where they fail.
package servertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/ingest"
	"github.com/pixplot/pixplot/internal/testkit"
	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/plot"
	"github.com/pixplot/pixplot/plotjob"
)

// Model is the built-in model the fixture is embedded with: the real one,
// the faster of the two.
const Model = "mobilenet_v2"

// Images is how many emoji the fixture holds.
const Images = 60

// PlotName is the fixture's ready plot of every image.
const PlotName = "emoji"

var fixture struct {
	once sync.Once
	dir  string
	err  error
}

// RequireModel resolves the real test model, skipping the test when the
// model cache is unavailable (failing with CI=true).
func RequireModel(t testing.TB) pixplot.Model {
	t.Helper()
	m, err := modelstore.Default(nil).Resolve(context.Background(), Model, modelstore.Custom{})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the real model %s is required in CI: %v", Model, err)
		}
		t.Skipf("real model %s unavailable (run `pixplot setup`): %v", Model, err)
	}
	return m
}

// ImagesDir is the folder of emoji the fixture was ingested from.
func ImagesDir(t testing.TB) string {
	t.Helper()
	return testkit.Emoji(t, Images)
}

// Copy returns the path of a fresh copy of the fixture catalog in a test
// directory.
func Copy(t testing.TB) string {
	t.Helper()
	images := ImagesDir(t)
	model := RequireModel(t)
	fixture.once.Do(func() { fixture.dir, fixture.err = build(images, model) })
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	data, err := os.ReadFile(filepath.Join(fixture.dir, "pixplot.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pixplot.db")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Cleanup removes the fixture; call it from TestMain after the tests ran.
func Cleanup() {
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
}

// build ingests the emoji folder with model and makes the fixture plot.
func build(images string, model pixplot.Model) (string, error) {
	ctx := context.Background()
	emb, err := modelstore.Default(nil).Open(ctx, model, embed.Options{BatchSize: 16})
	if err != nil {
		return "", err
	}
	defer emb.Close()
	dir, err := os.MkdirTemp("", "pixplot-servertest-")
	if err != nil {
		return "", err
	}
	cat, err := catalog.Open(filepath.Join(dir, "pixplot.db"), catalog.Options{})
	if err != nil {
		return dir, err
	}
	sum, err := ingest.Run(ctx, cat, emb, ingest.Options{
		Images: images, Metadata: filepath.Join(images, "metadata.csv"), Workers: 2,
	})
	if err == nil && sum.Ingested != Images {
		err = fmt.Errorf("fixture ingest stored %d of %d images:\n%s", sum.Ingested, Images, sum.Text())
	}
	if err == nil {
		err = Plot(ctx, cat, PlotName, catalog.Filter{}, DefaultOptions())
	}
	return dir, errors.Join(err, cat.Close()) // Close checkpoints the WAL: copies are whole files
}

// DefaultOptions are the plot options of the fixture: the defaults, seed 1,
// two threads.
func DefaultOptions() plot.Options {
	o := plot.DefaultOptions()
	o.Seed = 1
	o.Threads = 2
	return o
}

// Plot computes and stores plot name of the images filter selects with the
// code path of `pixplot plot` (plotjob.Make).
func Plot(ctx context.Context, cat *catalog.Catalog, name string, filter catalog.Filter, opts plot.Options) error {
	_, err := plotjob.Make(ctx, cat, plotjob.Request{Name: name, Filter: filter, Options: opts}, nil)
	return err
}

// WaitForPlot polls GET /api/plots/{name} at base until the plot is no
// longer running and returns its status: "ready", "failed: " and the error,
// or "still running after" limit.
func WaitForPlot(t testing.TB, client *http.Client, base, name string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var head struct {
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		resp, err := client.Get(base + "/api/plots/" + name)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&head)
		resp.Body.Close()
		switch {
		case err != nil:
			t.Fatalf("GET /api/plots/%s: %d %v", name, resp.StatusCode, err)
		case head.Status == "failed":
			return "failed: " + head.Error
		case head.Status != "running":
			return head.Status
		case time.Now().After(deadline):
			return "still running after " + limit.String()
		}
		time.Sleep(100 * time.Millisecond)
	}
}
