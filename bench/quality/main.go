// Command quality measures how well a catalog's embeddings group images of
// the same category: the leave-one-out accuracy of a k-nearest-neighbour
// vote over the catalog's own similar search (catalog.Similar, excluding the
// image itself). Each image gets the category most common among its k
// nearest images, ties going to the nearer; the accuracy is the fraction
// whose own category wins. Images without a category take no part.
//
//	go run ./bench/quality -db emoji.db -k 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/bench/internal/benchkit"
	"github.com/pixplot/pixplot/catalog"
)

func main() {
	db := flag.String("db", "", "an ingested catalog whose images have categories")
	k := flag.Int("k", 5, "neighbours that vote")
	flag.Parse()
	if err := run(context.Background(), *db, *k); err != nil {
		fmt.Fprintln(os.Stderr, "bench/quality:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, db string, k int) error {
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer cat.Close()
	e, err := benchkit.LoadEmbeddings(ctx, cat, "category IS NOT NULL", true)
	if err != nil {
		return err
	}
	model, ids, vectors := e.Model, e.IDs, e.Vectors
	category := make(map[int64]string, len(ids))
	for i, id := range ids {
		category[id] = e.Categories[i]
	}
	info, err := cat.Info(ctx)
	if err != nil {
		return err
	}
	var within []int64 // nil: every image has a category, search them all
	if int64(len(ids)) < info.Images {
		within = ids
	}
	correct := 0
	for i, id := range ids {
		nearest, err := cat.Similar(ctx, model.ID, vectors[i], k, catalog.SimilarOptions{Exclude: id, Within: within})
		if err != nil {
			return err
		}
		if plurality(nearest, category) == category[id] {
			correct++
		}
	}
	accuracy := float64(correct) / float64(len(ids))
	fmt.Printf("%s: %d images in %d categories, model %s (%d-d): kNN@%d category accuracy %.4f (chance ≈ %.3f)\n",
		db, len(ids), countDistinct(category), model.Name, model.Dims, k, accuracy, majorityShare(category))
	benchkit.Result("images", float64(len(ids)))
	benchkit.Result("accuracy", accuracy)
	return nil
}

// plurality is the most common category among the neighbours; of equally
// common ones, the one whose first vote came first (the nearer).
func plurality(nearest []pixplot.Neighbor, category map[int64]string) string {
	votes := map[string]int{}
	best := ""
	for _, n := range nearest {
		c, ok := category[n.ID]
		if !ok {
			continue
		}
		votes[c]++
		if best == "" || votes[c] > votes[best] {
			best = c
		}
	}
	return best
}

func countDistinct(m map[int64]string) int {
	seen := map[string]bool{}
	for _, c := range m {
		seen[c] = true
	}
	return len(seen)
}

// majorityShare is the accuracy of always answering the largest category.
func majorityShare(m map[int64]string) float64 {
	counts := map[string]int{}
	best := 0
	for _, c := range m {
		counts[c]++
		best = max(best, counts[c])
	}
	return float64(best) / float64(max(len(m), 1))
}
