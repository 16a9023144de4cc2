package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pixplot/pixplot"
)

var ctx = context.Background()

// openTemp opens a new catalog file in a test directory, closed at cleanup.
func openTemp(t testing.TB) *Catalog {
	t.Helper()
	c, err := Open(filepath.Join(t.TempDir(), "pixplot.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testModel is an embedding model of dims dimensions; seed tells models apart.
func testModel(t testing.TB, c *Catalog, seed, dims int) pixplot.Model {
	t.Helper()
	m, err := c.EnsureModel(ctx, pixplot.Model{
		Name: fmt.Sprintf("model%d", seed), SHA256: sha(fmt.Sprint("model", seed)), Output: "gap",
		Dims: dims, Preprocess: pixplot.Preprocess{Input: "input", Size: 224, Layout: "NHWC", Scale: "-1,1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testImage is image i of a synthetic collection, with metadata and tags.
func testImage(i int) pixplot.Image {
	year := 1900 + i%100
	name := fmt.Sprintf("img%04d.jpg", i)
	return pixplot.Image{
		Source: "/data/" + name, Path: name, Filename: name, SHA256: sha(name),
		Bytes: int64(1000 + i), ModTime: int64(1e18) + int64(i), Width: 640, Height: 480, Format: "jpeg",
		Meta: pixplot.Metadata{
			Category: []string{"maps", "portraits", "letters"}[i%3],
			Year:     &year,
			Tags:     []string{fmt.Sprintf("box%d", i%5), "archive"},
		},
	}
}

// testRecord is image i with real JPEG thumbnails and vector v.
func testRecord(i int, v []float32) ImageRecord {
	return ImageRecord{Image: testImage(i), Thumbs: testThumbs(), Vector: v}
}

var thumbsOnce = sync.OnceValue(func() []pixplot.Thumbnail {
	sizes := []struct {
		name string
		w, h int
	}{{pixplot.ThumbCell, 43, 32}, {pixplot.ThumbLOD, 171, 128}, {pixplot.ThumbPreview, 256, 192}}
	var thumbs []pixplot.Thumbnail
	for _, s := range sizes {
		img := image.NewRGBA(image.Rect(0, 0, s.w, s.h))
		for y := range s.h {
			for x := range s.w {
				img.Set(x, y, color.RGBA{uint8(x * 255 / s.w), uint8(y * 255 / s.h), 128, 255})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
			panic(err)
		}
		thumbs = append(thumbs, pixplot.Thumbnail{Size: s.name, Width: s.w, Height: s.h, JPEG: buf.Bytes()})
	}
	return thumbs
})

func testThumbs() []pixplot.Thumbnail { return thumbsOnce() }

// randomUnit is a random unit vector.
func randomUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return normalized(v)
}

func normalized(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / math.Sqrt(s))
	}
	return out
}

// near is v moved a little (by eps in random directions), normalised.
func near(r *rand.Rand, v []float32, eps float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x + float32(eps*r.NormFloat64())
	}
	return normalized(out)
}

func cosine(a, b []float32) float64 {
	var dot float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	return dot
}

// count runs a count query on the catalog's read pool.
func count(t testing.TB, c *Catalog, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func putAll(t testing.TB, c *Catalog, modelID int64, recs []ImageRecord) {
	t.Helper()
	if err := c.PutImages(ctx, modelID, recs); err != nil {
		t.Fatal(err)
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
