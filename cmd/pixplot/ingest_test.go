package main

import (
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/internal/testkit"
)

// requireModel makes sure the runtime and models are in the cache; without
// npm the test is skipped locally and fails in CI.
func requireModel(t *testing.T) {
	t.Helper()
	if r := run(t, "setup"); r.code != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pixplot setup failed in CI:\n%s", r.stderr)
		}
		t.Skipf("model unavailable here: %s", r.stderr)
	}
}

// ingestEmoji ingests n real emoji with their metadata into a new catalog.
func ingestEmoji(t *testing.T, n int) (db, dir string) {
	t.Helper()
	requireModel(t)
	dir = testkit.Emoji(t, n)
	db = filepath.Join(t.TempDir(), "emoji.db")
	mustPixplot(t, "ingest", "--db", db, "--images", dir, "--metadata", filepath.Join(dir, "metadata.csv"))
	return db, dir
}

func TestIngest_RealEmojiMakeAMeaningfulCatalog(t *testing.T) {
	db, dir := ingestEmoji(t, 300)

	t.Run("info counts everything", func(t *testing.T) {
		var info catalog.Info
		if err := json.Unmarshal([]byte(mustPixplot(t, "info", "--db", db, "--json").stdout), &info); err != nil {
			t.Fatal(err)
		}
		if info.Images != 300 || info.Thumbnails != 900 || len(info.Models) != 1 || info.Models[0].Vectors != 300 || info.Errors != 0 {
			t.Fatalf("info = %+v", info)
		}
		if m := info.Models[0].Model; m.Name != "inception_v3" || m.Output != "mixed7_gap" || m.Dims != 768 || !info.Models[0].Active {
			t.Fatalf("model = %+v", info.Models[0])
		}
	})

	t.Run("re-ingest changes nothing", func(t *testing.T) {
		r := mustPixplot(t, "ingest", "--db", db, "--images", dir, "--metadata", filepath.Join(dir, "metadata.csv"))
		if !strings.Contains(r.stdout, "0 ingested, 0 updated, 300 unchanged, 0 failed") {
			t.Fatalf("second run did work:\n%s", r.stdout)
		}
	})

	t.Run("a resized copy finds its original first", func(t *testing.T) {
		original := firstPNG(t, dir)
		query := filepath.Join(t.TempDir(), "copy.png")
		writeResized(t, original, query, 41)
		var got []pixplot.Neighbor
		out := mustPixplot(t, "similar", "--db", db, "--image", query, "-k", "3", "--json").stdout
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Filename != filepath.Base(original) {
			t.Fatalf("nearest to a copy of %s: %+v", filepath.Base(original), got)
		}
	})

	t.Run("neighbours share categories far above chance", func(t *testing.T) {
		accuracy := knnCategoryAccuracy(t, db, 5)
		t.Logf("kNN@5 category accuracy: %.3f (chance ≈ 0.10; research saw ≈ 0.69-0.71)", accuracy)
		if accuracy < 0.5 {
			t.Fatalf("kNN@5 category accuracy %.3f, want ≥ 0.5", accuracy)
		}
	})

	t.Run("similar by id excludes the image itself", func(t *testing.T) {
		var got []pixplot.Neighbor
		if err := json.Unmarshal([]byte(mustPixplot(t, "similar", "--db", db, "--id", "7", "--json").stdout), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 20 {
			t.Fatalf("got %d neighbours, want 20", len(got))
		}
		for i, n := range got {
			if n.ID == 7 || (i > 0 && n.Distance < got[i-1].Distance) {
				t.Fatalf("neighbours not nearest-first without the query: %+v", got)
			}
		}
	})
}

func TestSimilar_UnknownImageIsAClearError(t *testing.T) {
	db, _ := ingestEmoji(t, 20)
	r := run(t, "similar", "--db", db, "--filename", "nope.png")
	if r.code == 0 || !strings.Contains(r.stderr, `no image named "nope.png"`) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// knnCategoryAccuracy is the leave-one-out accuracy of a k-nearest-neighbour
// classifier of categories over the catalog's own similar search: each image
// gets the category most common among its k neighbours (ties: the nearest).
func knnCategoryAccuracy(t *testing.T, db string, k int) float64 {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	model, err := cat.ActiveModel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cat.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	category := func(id int64) string {
		img, err := cat.Image(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return img.Meta.Category
	}
	correct := 0
	for id := int64(1); id <= info.Images; id++ {
		vec, err := cat.Vector(ctx, model.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		nearest, err := cat.Similar(ctx, model.ID, vec, k, catalog.SimilarOptions{Exclude: id})
		if err != nil {
			t.Fatal(err)
		}
		if pluralityCategory(nearest, category) == category(id) {
			correct++
		}
	}
	return float64(correct) / float64(info.Images)
}

// pluralityCategory is the most common category among neighbours, nearest-first ties.
func pluralityCategory(nearest []pixplot.Neighbor, category func(int64) string) string {
	votes := map[string]int{}
	best := ""
	for _, n := range nearest {
		c := category(n.ID)
		votes[c]++
		if votes[c] > votes[best] {
			best = c
		}
	}
	return best
}

func firstPNG(t *testing.T, dir string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no PNG in %s: %v", dir, err)
	}
	return matches[0]
}

// writeResized writes a side×side copy of a PNG.
func writeResized(t *testing.T, src, dst string, side int) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	small := image.NewNRGBA(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, small); err != nil {
		t.Fatal(err)
	}
}
