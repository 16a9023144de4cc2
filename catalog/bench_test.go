package catalog

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pixplot/pixplot"
)

// BenchmarkSimilar measures similar-image search (k = 20) over 100,000
// embedding-like vectors of 768 dims (ReLU outputs of a clustered latent
// space, see embeddingLike), queried by stored images with the image itself
// excluded, as the server does: the exact sqlite-vec scan, and searches
// through the index (its build time and heap size are reported with them),
// over all images and within a random tenth, with recall@20 against the
// exact scan. PIXPLOT_BENCH_SIMILAR_N sets another
// collection size (e.g. 20000 to compare the two paths where indexMinRows is).
//
//	go test -run '^$' -bench Similar -benchtime 200x ./catalog
func BenchmarkSimilar(b *testing.B) {
	const dims, k, queries = 768, 20, 200
	n := 100_000
	if s := os.Getenv("PIXPLOT_BENCH_SIMILAR_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("PIXPLOT_BENCH_SIMILAR_N=%q: %v", s, err)
		}
	}
	c, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.similar.minRows = 0 // measure the index at any n
	m := testModel(b, c, 1, dims)
	start := time.Now()
	vectors := embeddingLike(newRand(42), n, dims, max(10, n/100))
	for first := 0; first < n; first += 2000 {
		var recs []ImageRecord
		for i := first; i < min(first+2000, n); i++ {
			recs = append(recs, ImageRecord{Image: testImage(i), Vector: vectors[i]})
		}
		putAll(b, c, m.ID, recs)
	}
	b.Logf("stored %d images with %d-dim vectors in %v", n, dims, time.Since(start).Round(time.Millisecond))

	r := rand.New(rand.NewPCG(1, 2))
	asked := make([]int64, queries) // image ids 1…n, stored in order
	for i := range asked {
		asked[i] = int64(r.IntN(n) + 1)
	}
	within := make([]int64, 0, n/10)
	for _, i := range r.Perm(n)[:n/10] {
		within = append(within, int64(i+1))
	}
	search := func(b *testing.B, opt SimilarOptions, exact bool) (took []time.Duration, found [][]int64) {
		for i := 0; b.Loop(); i++ {
			id := asked[i%queries]
			opt.Exclude = id
			t0 := time.Now()
			var got []pixplot.Neighbor
			var err error
			if exact {
				got, err = c.similarExact(ctx, m.ID, vectors[id-1], k, opt)
			} else {
				got, err = c.Similar(ctx, m.ID, vectors[id-1], k, opt)
			}
			took = append(took, time.Since(t0))
			if err != nil || len(got) != k {
				b.Fatalf("Similar = %d results, %v", len(got), err)
			}
			if i < queries {
				found = append(found, neighborIDs(got))
			}
		}
		reportPercentiles(b, took)
		return took, found
	}

	var truth, truthWithin [][]int64
	b.Run("exact", func(b *testing.B) { _, truth = search(b, SimilarOptions{}, true) })
	b.Run("exact-within-10pct", func(b *testing.B) { _, truthWithin = search(b, SimilarOptions{Within: within}, true) })
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start = time.Now()
	if err := c.PrepareSimilar(ctx, m.ID); err != nil {
		b.Fatal(err)
	}
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	indexMiB := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / (1 << 20)
	b.Logf("index built in %v; %.1f MiB", build.Round(time.Millisecond), indexMiB)
	b.Run("index", func(b *testing.B) {
		_, found := search(b, SimilarOptions{}, false)
		reportRecall(b, found, truth)
		b.ReportMetric(build.Seconds(), "build-s")
		b.ReportMetric(indexMiB, "index-MiB")
	})
	b.Run("index-within-10pct", func(b *testing.B) {
		_, found := search(b, SimilarOptions{Within: within}, false)
		reportRecall(b, found, truthWithin)
	})
	if searches := c.similar.searches.exact.Load(); searches > 0 {
		b.Errorf("%d searches fell back to the exact scan", searches)
	}
	b.Run("vectors-all", func(b *testing.B) {
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		for b.Loop() {
			if _, err := c.Vectors(ctx, m.ID, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// reportRecall reports the mean recall of found against the exact results
// of the same queries (as many as both have).
func reportRecall(b *testing.B, found, exact [][]int64) {
	total, n := 0.0, min(len(found), len(exact))
	if n == 0 {
		b.Log("no exact results to compare with: run the exact sub-benchmark with as many queries")
		return
	}
	for i := range n {
		total += recall(found[i], exact[i])
	}
	b.ReportMetric(total/float64(n), "recall@20")
}
