// Command synthcat writes a large SYNTHETIC catalog for the scale
// benchmarks (e2e, similar, load, firstframe) from a small real one: every
// synthetic image takes a real image of the source catalog as its base
// (cyclically: image i has base i mod m), with that image's metadata, tags
// and real JPEG thumbnails, and a vector drawn near the base's real
// embedding:
//
//	v = unit((1−u)·b + u·b' + ε),  u ~ U[0, 0.5], b' one of b's 10 nearest
//	bases, ε ~ N(0, σ²I) with ‖ε‖ ≈ 0.3 × the median nearest-base distance
//
// so the collection has the cluster structure of real embeddings, spread
// along the directions between similar images, rather than m tight copies.
//
//	go run ./bench/synthcat -from openclipart.db -out synth-100000.db -n 100000
//
// A catalog already written with the same options is reused (the options
// are kept next to it in OUT.json), so the benchmarks can share it.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
)

// recipe is what a synthetic catalog was made from; OUT.json holds it.
type recipe struct {
	Version    int    `json:"version"`
	N          int    `json:"n"`
	Seed       uint64 `json:"seed"`
	From       string `json:"from"`
	FromImages int    `json:"from_images"`
	FromModel  string `json:"from_model_sha256"`
	Schema     string `json:"schema_sha256"` // a catalog made under another schema is remade
}

const recipeVersion = 1

func main() {
	from := flag.String("from", "", "a real ingested catalog: the base images, their thumbnails and vectors")
	out := flag.String("out", "", "the synthetic catalog to write")
	n := flag.Int("n", 100000, "synthetic images")
	seed := flag.Uint64("seed", 1, "seed of the vectors")
	flag.Parse()
	if *from == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "bench/synthcat: -from and -out are required")
		os.Exit(2)
	}
	if err := run(context.Background(), *from, *out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bench/synthcat:", err)
		os.Exit(1)
	}
}

// base is one real image of the source catalog.
type base struct {
	image  pixplot.Image
	thumbs []pixplot.Thumbnail
	vector []float32
	near   []int // the 10 nearest other bases
}

func run(ctx context.Context, from, out string, n int, seed uint64) error {
	src, err := catalog.Open(from, catalog.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	model, err := src.ActiveModel(ctx)
	if err != nil {
		return err
	}
	ids, err := src.Select(ctx, catalog.Filter{})
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(from)
	schema := sha256.Sum256([]byte(pixplot.Schema))
	want := recipe{Version: recipeVersion, N: n, Seed: seed, From: abs, FromImages: len(ids), FromModel: model.SHA256,
		Schema: hex.EncodeToString(schema[:])}
	if reusable(ctx, out, want) {
		fmt.Printf("%s: reusing the synthetic catalog (%d images from %s)\n", out, n, from)
		return nil
	}
	for _, suffix := range []string{"", "-wal", "-shm", ".json"} {
		if err := os.Remove(out + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}

	bases, err := readBases(ctx, src, model.ID, ids)
	if err != nil {
		return err
	}
	sigma := noiseScale(bases, model.Dims)
	fmt.Printf("%d bases from %s (model %s, %d-d); noise σ %.4g per dimension\n", len(bases), from, model.Name, model.Dims, sigma)

	dst, err := catalog.Open(out, catalog.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()
	model.ID = 0
	stored, err := dst.EnsureModel(ctx, model)
	if err != nil {
		return err
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(seed, 7))
	const batch = 500
	for first := 0; first < n; first += batch {
		recs := make([]catalog.ImageRecord, 0, batch)
		for i := first; i < min(first+batch, n); i++ {
			recs = append(recs, synthetic(i, bases, sigma, rng))
		}
		if err := dst.PutImages(ctx, stored.ID, recs); err != nil {
			return err
		}
		if done := first + len(recs); done%20000 == 0 || done == n {
			fmt.Printf("%d / %d images written (%.0fs)\n", done, n, time.Since(start).Seconds())
		}
	}
	if err := dst.SetActiveModel(ctx, stored.ID); err != nil {
		return err
	}
	text, _ := json.MarshalIndent(want, "", "  ")
	return os.WriteFile(out+".json", text, 0o644)
}

// reusable reports whether out was written with the same recipe and is complete.
func reusable(ctx context.Context, out string, want recipe) bool {
	text, err := os.ReadFile(out + ".json")
	if err != nil {
		return false
	}
	var got recipe
	if json.Unmarshal(text, &got) != nil || got != want {
		return false
	}
	cat, err := catalog.Open(out, catalog.Options{ReadOnly: true})
	if err != nil {
		return false
	}
	defer cat.Close()
	info, err := cat.Info(ctx)
	return err == nil && info.Images == int64(want.N) && len(info.Models) == 1 && info.Models[0].Vectors == int64(want.N)
}

func readBases(ctx context.Context, src *catalog.Catalog, modelID int64, ids []int64) ([]base, error) {
	vectors, err := src.Vectors(ctx, modelID, ids)
	if err != nil {
		return nil, err
	}
	bases := make([]base, len(ids))
	for i, id := range ids {
		img, err := src.Image(ctx, id)
		if err != nil {
			return nil, err
		}
		b := base{image: img, vector: vectors[i]}
		for _, size := range []string{pixplot.ThumbCell, pixplot.ThumbLOD, pixplot.ThumbPreview} {
			t, err := src.Thumbnail(ctx, id, size)
			if err != nil {
				return nil, fmt.Errorf("image %d (%s): %s thumbnail: %w", id, img.Path, size, err)
			}
			b.thumbs = append(b.thumbs, t)
		}
		bases[i] = b
	}
	if len(bases) < 2 {
		return nil, fmt.Errorf("the source catalog has %d images; at least 2 are needed", len(bases))
	}
	findNearest(bases)
	return bases, nil
}

// findNearest sets each base's 10 nearest other bases (by cosine).
func findNearest(bases []base) {
	const k = 10
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			type scored struct {
				j   int
				dot float32
			}
			all := make([]scored, 0, len(bases))
			for i := range next {
				all = all[:0]
				for j := range bases {
					if j != i {
						all = append(all, scored{j, dot(bases[i].vector, bases[j].vector)})
					}
				}
				slices.SortFunc(all, func(a, b scored) int {
					switch {
					case a.dot > b.dot:
						return -1
					case a.dot < b.dot:
						return 1
					}
					return a.j - b.j
				})
				for _, s := range all[:min(k, len(all))] {
					bases[i].near = append(bases[i].near, s.j)
				}
			}
		}()
	}
	for i := range bases {
		next <- i
	}
	close(next)
	wg.Wait()
}

// noiseScale is σ per dimension: ‖ε‖ ≈ 0.3 × the median distance from a
// base to its nearest other base.
func noiseScale(bases []base, dims int) float64 {
	dist := make([]float64, len(bases))
	for i, b := range bases {
		c := float64(dot(b.vector, bases[b.near[0]].vector))
		dist[i] = math.Sqrt(max(0, 2-2*c))
	}
	slices.Sort(dist)
	return 0.3 * dist[len(dist)/2] / math.Sqrt(float64(dims))
}

func synthetic(i int, bases []base, sigma float64, rng *rand.Rand) catalog.ImageRecord {
	b := bases[i%len(bases)]
	other := bases[b.near[rng.IntN(len(b.near))]]
	u := float32(0.5 * rng.Float64())
	v := make([]float32, len(b.vector))
	for d := range v {
		v[d] = (1-u)*b.vector[d] + u*other.vector[d] + float32(sigma*rng.NormFloat64())
	}
	name := fmt.Sprintf("%06d-%s", i, b.image.Filename)
	source := "/synthetic/" + name
	sum := sha256.Sum256([]byte(source))
	img := b.image
	img.ID = 0
	img.Source, img.Path, img.Filename = source, name, name
	img.SHA256 = hex.EncodeToString(sum[:])
	img.ModTime = 0
	return catalog.ImageRecord{Image: img, Thumbs: b.thumbs, Vector: v}
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
