package catalog

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkSimilar measures exact KNN (k = 20) over 100,000 clustered unit
// vectors of 768 dims, like a large collection embedded with Inception.
//
//	go test -run '^$' -bench Similar -benchtime 50x ./catalog
func BenchmarkSimilar(b *testing.B) {
	const n, dims, centres, k = 100_000, 768, 1000, 20
	c, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	m := testModel(b, c, 1, dims)
	r := newRand(42)
	centre := make([][]float32, centres)
	for i := range centre {
		centre[i] = randomUnit(r, dims)
	}
	start := time.Now()
	for first := 0; first < n; first += 2000 {
		var recs []ImageRecord
		for i := first; i < first+2000; i++ {
			recs = append(recs, ImageRecord{Image: testImage(i), Vector: near(r, centre[i%centres], 0.02)})
		}
		putAll(b, c, m.ID, recs)
	}
	b.Logf("stored %d images with %d-dim vectors in %v", n, dims, time.Since(start).Round(time.Millisecond))

	within := make([]int64, 0, n/10)
	for _, i := range r.Perm(n)[:n/10] {
		within = append(within, int64(i+1))
	}
	for _, bench := range []struct {
		name string
		opt  SimilarOptions
	}{{"all", SimilarOptions{}}, {"within-10pct", SimilarOptions{Within: within}}} {
		b.Run(bench.name, func(b *testing.B) {
			qr := rand.New(rand.NewPCG(1, 2))
			var took []time.Duration
			for b.Loop() {
				q := near(qr, centre[qr.IntN(centres)], 0.02)
				t0 := time.Now()
				got, err := c.Similar(ctx, m.ID, q, k, bench.opt)
				took = append(took, time.Since(t0))
				if err != nil || len(got) != k {
					b.Fatalf("Similar = %d results, %v", len(got), err)
				}
			}
			reportPercentiles(b, took)
		})
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
	b.ReportMetric(at(0.95), "p95-ms")
}
