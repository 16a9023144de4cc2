// Command similar measures similar-image search (catalog.Similar, k = 20) on
// a large catalog: the latency percentiles of queries by stored images (the
// image itself excluded, as GET /api/images/{id}/similar does) over the whole
// catalog and within a random tenth of it (a plot's images), and recall@20
// against an exact brute-force search in Go over the same vectors.
//
//	go run ./bench/similar -db synth-100000.db -queries 200
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/pixplot/pixplot/bench/internal/benchkit"
	"github.com/pixplot/pixplot/catalog"
)

const k = 20

func main() {
	db := flag.String("db", "", "catalog to search")
	queries := flag.Int("queries", 200, "queries per setting")
	seed := flag.Uint64("seed", 1, "seed of the query choice")
	flag.Parse()
	if err := run(context.Background(), *db, *queries, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bench/similar:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, db string, queries int, seed uint64) error {
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer cat.Close()
	e, err := benchkit.LoadEmbeddings(ctx, cat, "", false)
	if err != nil {
		return err
	}
	model, ids, vectors := e.Model, e.IDs, e.Vectors
	n := len(ids)
	fmt.Printf("%d images × %d dims in %s; %d queries, k = %d; load average %s\n", n, model.Dims, db, queries, k, benchkit.LoadAverage())
	rng := rand.New(rand.NewPCG(seed, 3))
	picks := make([]int, queries)
	for i := range picks {
		picks[i] = rng.IntN(n)
	}

	// Warm-up: build the in-memory search index and page the vectors in, as a
	// running server has.
	start := time.Now()
	if err := cat.PrepareSimilar(ctx, model.ID); err != nil {
		return err
	}
	fmt.Printf("search index built in %.2f s\n", time.Since(start).Seconds())
	benchkit.Result("index_build_s", time.Since(start).Seconds())
	for _, q := range picks[:min(3, len(picks))] {
		if _, err := cat.Similar(ctx, model.ID, vectors[q], k, catalog.SimilarOptions{Exclude: ids[q]}); err != nil {
			return err
		}
	}
	took := make([]time.Duration, len(picks))
	found := make([][]int64, len(picks))
	for i, q := range picks {
		start := time.Now()
		got, err := cat.Similar(ctx, model.ID, vectors[q], k, catalog.SimilarOptions{Exclude: ids[q]})
		took[i] = time.Since(start)
		if err != nil {
			return err
		}
		for _, nb := range got {
			found[i] = append(found[i], nb.ID)
		}
	}
	recall := meanRecall(found, exact(ids, vectors, picks))
	p50, p99 := benchkit.Percentile(took, 0.5), benchkit.Percentile(took, 0.99)
	fmt.Printf("all images:       p50 %7.2f ms  p99 %7.2f ms  recall@%d %.4f\n", benchkit.Milliseconds(p50), benchkit.Milliseconds(p99), k, recall)
	benchkit.Result("images", float64(n))
	benchkit.Result("p50_ms", benchkit.Milliseconds(p50))
	benchkit.Result("p99_ms", benchkit.Milliseconds(p99))
	benchkit.Result("recall", recall)

	within := make([]int64, 0, n/10)
	for _, i := range rng.Perm(n)[:max(1, n/10)] {
		within = append(within, ids[i])
	}
	tookWithin := make([]time.Duration, len(picks))
	for i, q := range picks {
		start := time.Now()
		if _, err := cat.Similar(ctx, model.ID, vectors[q], k, catalog.SimilarOptions{Exclude: ids[q], Within: within}); err != nil {
			return err
		}
		tookWithin[i] = time.Since(start)
	}
	w50, w99 := benchkit.Percentile(tookWithin, 0.5), benchkit.Percentile(tookWithin, 0.99)
	fmt.Printf("within %6d ids: p50 %7.2f ms  p99 %7.2f ms\n", len(within), benchkit.Milliseconds(w50), benchkit.Milliseconds(w99))
	benchkit.Result("within_p50_ms", benchkit.Milliseconds(w50))
	benchkit.Result("within_p99_ms", benchkit.Milliseconds(w99))
	return nil
}

// exact is the brute-force k nearest (by dot product of the unit vectors,
// i.e. cosine) of each picked vector, without the vector itself.
func exact(ids []int64, vectors [][]float32, picks []int) [][]int64 {
	out := make([][]int64, len(picks))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			type scored struct {
				i   int
				dot float64
			}
			for p := range next {
				q := vectors[picks[p]]
				best := make([]scored, 0, k+1)
				for i, v := range vectors {
					if i == picks[p] {
						continue
					}
					d := dot(q, v)
					if len(best) == k && d <= best[k-1].dot {
						continue
					}
					pos, _ := slices.BinarySearchFunc(best, d, func(s scored, d float64) int {
						if s.dot > d {
							return -1
						}
						return 1
					})
					best = slices.Insert(best, pos, scored{i, d})
					if len(best) > k {
						best = best[:k]
					}
				}
				for _, s := range best {
					out[p] = append(out[p], ids[s.i])
				}
			}
		}()
	}
	for p := range picks {
		next <- p
	}
	close(next)
	wg.Wait()
	return out
}

func meanRecall(found, truth [][]int64) float64 {
	total := 0.0
	for i := range found {
		hits := 0
		for _, id := range found[i] {
			if slices.Contains(truth[i], id) {
				hits++
			}
		}
		total += float64(hits) / float64(len(truth[i]))
	}
	return total / float64(len(found))
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
