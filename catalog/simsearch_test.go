package catalog

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"

	"github.com/pixplot/pixplot"
)

// embeddingLike returns n unit vectors shaped like CNN embeddings: a mixture
// of clusters in a small latent space, projected to dims, plus noise, through
// a ReLU (so every value is ≥ 0 and many are 0).
func embeddingLike(r *rand.Rand, n, dims, clusters int) [][]float32 {
	const latent = 32
	project := make([]float32, dims*latent)
	for i := range project {
		project[i] = float32(r.NormFloat64() / math.Sqrt(latent))
	}
	bias := make([]float32, dims)
	for i := range bias {
		bias[i] = float32(r.NormFloat64()*0.3 - 0.3)
	}
	centres := make([][]float32, clusters)
	for c := range centres {
		centres[c] = make([]float32, latent)
		for i := range centres[c] {
			centres[c][i] = float32(r.NormFloat64())
		}
	}
	vectors := make([][]float32, n)
	x := make([]float32, latent)
	for p := range vectors {
		centre := centres[r.IntN(clusters)]
		for i := range x {
			x[i] = centre[i] + float32(0.4*r.NormFloat64())
		}
		v := make([]float32, dims)
		for d := range v {
			row := project[d*latent : (d+1)*latent]
			v[d] = max(0, sdot(row, x)+bias[d]+float32(0.1*r.NormFloat64()))
		}
		vectors[p] = normalized(v)
	}
	return vectors
}

func sdot(a, b []float32) float32 {
	return blas32.Dot(blas32.Vector{N: len(a), Inc: 1, Data: a}, blas32.Vector{N: len(b), Inc: 1, Data: b})
}

// exactNearest is the k ids (index+1) whose vectors have the largest dot
// product with q, without exclude, by brute force.
func exactNearest(vectors [][]float32, q []float32, exclude int64, k int) []int64 {
	best := newTopScores(k)
	for i, v := range vectors {
		if int64(i+1) != exclude {
			best.offer(int32(i), sdot(q, v))
		}
	}
	ids := make([]int64, 0, k)
	for _, r := range best.rows {
		ids = append(ids, int64(r)+1)
	}
	return ids
}

func buildInMemory(vectors [][]float32) *quantIndex {
	b := newQuantBuilder(meanOf(vectors, len(vectors[0])), len(vectors))
	for i, v := range vectors {
		b.add(int64(i+1), v)
	}
	return b.finish()
}

// meanOf is the mean of vectors of dims values.
func meanOf(vectors [][]float32, dims int) []float32 {
	sum := make([]float64, dims)
	for _, v := range vectors {
		for i, f := range v {
			sum[i] += float64(f)
		}
	}
	mean := make([]float32, dims)
	for i, s := range sum {
		mean[i] = float32(s / float64(max(len(vectors), 1)))
	}
	return mean
}

func recall(got, want []int64) float64 {
	hits := 0
	for _, id := range got {
		if slices.Contains(want, id) {
			hits++
		}
	}
	return float64(hits) / float64(len(want))
}

func TestQuantIndex_RecallAt20IsAtLeast099On20kEmbeddingLikeVectors(t *testing.T) {
	const n, dims, k, queries = 20000, 768, 20, 100
	vectors := embeddingLike(newRand(11), n, dims, 200)
	x := buildInMemory(vectors)
	r := newRand(12)
	total := 0.0
	for range queries {
		id := int64(r.IntN(n) + 1)
		q := vectors[id-1]
		candidates := x.candidates(q, nil, id, searchDepthFor(n, k))
		if slices.Contains(candidates, id) {
			t.Fatalf("query %d: the excluded image is a candidate", id)
		}
		// The exact ranking of the candidates, as similarIndexed does with the stored vectors.
		ranked := newTopScores(k)
		for _, c := range candidates {
			ranked.offer(int32(c-1), sdot(q, vectors[c-1]))
		}
		var got []int64
		for _, row := range ranked.rows {
			got = append(got, int64(row)+1)
		}
		total += recall(got, exactNearest(vectors, q, id, k))
	}
	if mean := total / queries; mean < 0.99 {
		t.Errorf("recall@%d = %.4f; want ≥ 0.99", k, mean)
	} else {
		t.Logf("recall@%d = %.4f", k, mean)
	}
}

func TestQuantIndex_CodesAreCentred(t *testing.T) {
	// All values near 1: uncentred, every bit of every code would be set.
	r := newRand(1)
	vectors := make([][]float32, 2000)
	for i := range vectors {
		v := make([]float32, 256)
		for d := range v {
			v[d] = float32(1 + 0.1*r.NormFloat64())
		}
		vectors[i] = normalized(v)
	}
	x := buildInMemory(vectors)
	set := 0
	for _, word := range x.codes {
		set += popcount(word)
	}
	if share := float64(set) / float64(len(vectors)*256); share < 0.4 || share > 0.6 {
		t.Errorf("%.2f of the code bits are set; want about half (codes of v − mean)", share)
	}
}

func popcount(w uint64) int {
	n := 0
	for ; w != 0; w &= w - 1 {
		n++
	}
	return n
}

// indexedFixture stores n embedding-like vectors of dims in a catalog whose
// models get an index at any size, and builds the index.
func indexedFixture(t *testing.T, n, dims int) (*Catalog, pixplot.Model, [][]float32) {
	t.Helper()
	c := openTemp(t)
	c.similar.minRows = 0
	m := testModel(t, c, 1, dims)
	vectors := embeddingLike(newRand(21), n, dims, 30)
	recs := make([]ImageRecord, n)
	for i, v := range vectors {
		recs[i] = ImageRecord{Image: testImage(i), Vector: v}
	}
	putAll(t, c, m.ID, recs)
	if err := c.PrepareSimilar(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	return c, m, vectors
}

// indexed is the number of searches the index answered so far.
func indexed(c *Catalog) int64 { return c.similar.searches.indexed.Load() }

func TestSimilar_IndexGivesTheExactSearchResults(t *testing.T) {
	c, m, vectors := indexedFixture(t, 3000, 96)
	r := newRand(22)
	within := make([]int64, 0, 300)
	for _, i := range r.Perm(len(vectors))[:300] {
		within = append(within, int64(i+1))
	}
	for query := range 20 {
		id := int64(r.IntN(len(vectors)) + 1)
		for _, opt := range []SimilarOptions{{}, {Exclude: id}, {Exclude: id, Within: within}} {
			before := indexed(c)
			got, err := c.Similar(ctx, m.ID, vectors[id-1], 20, opt)
			if err != nil {
				t.Fatal(err)
			}
			if indexed(c) != before+1 {
				t.Fatalf("query %d %+v did not use the index", query, opt)
			}
			want, err := c.similarExact(ctx, m.ID, vectors[id-1], 20, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(neighborIDs(got), neighborIDs(want)) {
				t.Fatalf("query image %d %+v: index gives %v; exact search %v", id, opt, neighborIDs(got), neighborIDs(want))
			}
			for i := range got {
				if math.Abs(got[i].Distance-want[i].Distance) > 1e-6 || got[i].Filename != want[i].Filename {
					t.Errorf("result %d: index %+v; exact %+v", i, got[i], want[i])
				}
			}
			if opt.Exclude != 0 && slices.Contains(neighborIDs(got), id) {
				t.Errorf("excluded image %d returned", id)
			}
			for _, n := range got {
				if opt.Within != nil && !slices.Contains(within, n.ID) {
					t.Errorf("image %d is not within the ids asked for", n.ID)
				}
			}
		}
	}
}

func TestSimilar_IndexWithinIgnoresIdsWithoutVectors(t *testing.T) {
	c, m, vectors := indexedFixture(t, 500, 32)
	got, err := c.Similar(ctx, m.ID, vectors[0], 5, SimilarOptions{Within: []int64{3, 3, 9999, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if ids := neighborIDs(got); len(ids) != 2 || !slices.Contains(ids, 3) || !slices.Contains(ids, 4) {
		t.Errorf("Similar within {3, 3, 9999, 4} = %v; want images 3 and 4", ids)
	}
	if got, err := c.Similar(ctx, m.ID, vectors[0], 5, SimilarOptions{Within: []int64{9999}}); err != nil || len(got) != 0 {
		t.Errorf("Similar within an id without a vector = %v, %v; want no results", got, err)
	}
}

// newImageNear stores image i with a vector a hair from v and returns its id.
func newImageNear(t *testing.T, c *Catalog, m pixplot.Model, i int, v []float32) int64 {
	t.Helper()
	putAll(t, c, m.ID, []ImageRecord{{Image: testImage(i), Vector: near(newRand(uint64(i)), v, 1e-4)}})
	ids, err := c.ImageIDsByFilename(ctx, testImage(i).Filename)
	if err != nil || len(ids) != 1 {
		t.Fatalf("stored image %d: %v, %v", i, ids, err)
	}
	return ids[0]
}

func TestSimilar_IndexFollowsPutImagesAndPrune(t *testing.T) {
	c, m, vectors := indexedFixture(t, 2000, 64)
	q := vectors[10]
	added := newImageNear(t, c, m, 5000, q)
	// Stale index: the exact search answers, with the new image.
	before := indexed(c)
	got, err := c.Similar(ctx, m.ID, q, 3, SimilarOptions{Exclude: 11})
	if err != nil || got[0].ID != added || indexed(c) != before {
		t.Fatalf("right after PutImages: %v, %v (indexed %v); want image %d first by the exact search", neighborIDs(got), err, indexed(c) != before, added)
	}
	if err := c.PrepareSimilar(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	got, err = c.Similar(ctx, m.ID, q, 3, SimilarOptions{Exclude: 11})
	if err != nil || got[0].ID != added || indexed(c) != before+1 {
		t.Fatalf("after the rebuild: %v, %v; want image %d first from the index", neighborIDs(got), err, added)
	}

	if _, err := c.Prune(ctx, []string{testImage(5000).Source}); err != nil {
		t.Fatal(err)
	}
	if err := c.PrepareSimilar(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	got, err = c.Similar(ctx, m.ID, q, 3, SimilarOptions{Exclude: 11})
	if err != nil || slices.Contains(neighborIDs(got), added) || indexed(c) != before+2 {
		t.Fatalf("after Prune: %v, %v; want image %d gone, from the index", neighborIDs(got), err, added)
	}
}

func TestSimilar_IndexFollowsWritesOfAnotherCatalog(t *testing.T) {
	c, m, vectors := indexedFixture(t, 2000, 64)
	other, err := Open(c.Path(), Options{}) // another process, as far as the file is concerned
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	q := vectors[20]
	added := newImageNear(t, other, m, 6000, q)
	got, err := c.Similar(ctx, m.ID, q, 1, SimilarOptions{Exclude: 21})
	if err != nil || got[0].ID != added {
		t.Fatalf("after a write by another catalog: %v, %v; want image %d", neighborIDs(got), err, added)
	}
	if err := c.PrepareSimilar(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	before := indexed(c)
	got, err = c.Similar(ctx, m.ID, q, 1, SimilarOptions{Exclude: 21})
	if err != nil || got[0].ID != added || indexed(c) != before+1 {
		t.Fatalf("after the rebuild: %v, %v; want image %d from the index", neighborIDs(got), err, added)
	}
}

func TestSimilar_SmallModelsKeepTheExactSearch(t *testing.T) {
	c, model, vecs := similarFixture(t) // 60 vectors: far below indexMinRows
	if err := c.PrepareSimilar(ctx, model); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Similar(ctx, model, vecs[0], 5, SimilarOptions{}); err != nil {
		t.Fatal(err)
	}
	if indexed(c) != 0 {
		t.Error("a 60-vector model was searched with an index")
	}
	c.similar.mu.Lock()
	defer c.similar.mu.Unlock()
	if st := c.similar.models[model]; st == nil || !st.built || st.index != nil {
		t.Errorf("state %+v; want built without an index", st)
	}
}

func TestSimilar_ConcurrentSearchesWhileVectorsChange(t *testing.T) {
	c, m, vectors := indexedFixture(t, 2000, 64)
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			r := newRand(uint64(100 + g))
			for range 30 {
				id := int64(r.IntN(len(vectors)) + 1)
				got, err := c.Similar(ctx, m.ID, vectors[id-1], 10, SimilarOptions{Exclude: id})
				if err != nil || len(got) != 10 {
					t.Errorf("Similar = %d results, %v", len(got), err)
					return
				}
				for i := 1; i < len(got); i++ {
					if got[i].Distance < got[i-1].Distance || got[i].ID == id {
						t.Errorf("results %+v not nearest first without image %d", got, id)
						return
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 5 {
			rec := ImageRecord{Image: testImage(7000 + i), Vector: near(newRand(uint64(i)), vectors[i], 1e-3)}
			if err := c.PutImages(ctx, m.ID, []ImageRecord{rec}); err != nil {
				t.Error(err)
			}
			if err := c.PrepareSimilar(ctx, m.ID); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
}

func TestSimilar_CloseStopsTheIndexBuild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pixplot.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.similar.minRows = 0
	m := testModel(t, c, 1, 64)
	vectors := embeddingLike(newRand(5), 3000, 64, 10)
	recs := make([]ImageRecord, len(vectors))
	for i, v := range vectors {
		recs[i] = ImageRecord{Image: testImage(i), Vector: v}
	}
	putAll(t, c, m.ID, recs)
	if _, err := c.Similar(ctx, m.ID, vectors[0], 5, SimilarOptions{}); err != nil { // starts the build
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c.similar.mu.Lock()
	defer c.similar.mu.Unlock()
	if st := c.similar.models[m.ID]; st.building != nil {
		t.Error("a build still runs after Close")
	}
}
