package catalog

import (
	"errors"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/pixplot/pixplot"
)

// similarFixture stores 60 images: 3 clusters of 20 around random centres.
func similarFixture(t *testing.T) (*Catalog, int64, [][]float32) {
	c := openTemp(t)
	m := testModel(t, c, 1, 32)
	r := newRand(7)
	var recs []ImageRecord
	var vecs [][]float32
	var centre []float32
	for i := range 60 {
		if i%20 == 0 {
			centre = randomUnit(r, 32)
		}
		v := near(r, centre, 0.05)
		vecs = append(vecs, v)
		recs = append(recs, ImageRecord{Image: testImage(i), Vector: v})
	}
	putAll(t, c, m.ID, recs)
	return c, m.ID, vecs
}

// bruteForce ranks stored vectors by cosine similarity to q (ids are index+1).
func bruteForce(q []float32, vecs [][]float32, ids []int64) []int64 {
	if ids == nil {
		for i := range vecs {
			ids = append(ids, int64(i+1))
		}
	}
	ranked := slices.Clone(ids)
	sort.SliceStable(ranked, func(a, b int) bool {
		return cosine(q, vecs[ranked[a]-1]) > cosine(q, vecs[ranked[b]-1])
	})
	return ranked
}

func TestSimilar_ReturnsNearestFirstWithCosineDistances(t *testing.T) {
	c, model, vecs := similarFixture(t)
	q := near(newRand(9), vecs[25], 0.02)
	got, err := c.Similar(ctx, model, q, 10, SimilarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := bruteForce(q, vecs, nil)[:10]
	for i, n := range got {
		if n.ID != want[i] {
			t.Fatalf("result %d is image %d; want %d (exact ranking %v)", i, n.ID, want[i], want)
		}
		if wantD := 1 - cosine(q, vecs[n.ID-1]); math.Abs(n.Distance-wantD) > 1e-5 {
			t.Errorf("image %d distance %v; want cosine distance %v", n.ID, n.Distance, wantD)
		}
		if i > 0 && n.Distance < got[i-1].Distance {
			t.Errorf("results not nearest first at %d", i)
		}
		if n.Filename == "" {
			t.Errorf("result %d has no filename", i)
		}
	}
	if len(got) != 10 {
		t.Errorf("%d results; want 10", len(got))
	}
}

func TestSimilar_ExcludesTheQueryImage(t *testing.T) {
	c, model, vecs := similarFixture(t)
	q, err := c.Vector(ctx, model, 5)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Similar(ctx, model, q, 5, SimilarOptions{Exclude: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := bruteForce(q, vecs, nil)[1:6]
	if ids := neighborIDs(got); !slices.Equal(ids, want) {
		t.Errorf("Similar excluding 5 = %v; want %v", ids, want)
	}
}

func TestSimilar_SearchesOnlyWithin(t *testing.T) {
	c, model, vecs := similarFixture(t)
	within := []int64{2, 7, 30, 31, 45, 50, 59} // few of the query's cluster (1-20), most far away
	q := vecs[3]
	got, err := c.Similar(ctx, model, q, 5, SimilarOptions{Within: within, Exclude: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.DeleteFunc(bruteForce(q, vecs, within), func(id int64) bool { return id == 7 })[:5]
	if ids := neighborIDs(got); !slices.Equal(ids, want) {
		t.Errorf("Similar within %v = %v; want %v", within, ids, want)
	}
	if got, err := c.Similar(ctx, model, q, 5, SimilarOptions{Within: []int64{}}); err != nil || len(got) != 0 {
		t.Errorf("Similar within nothing = %v, %v; want no results", got, err)
	}
}

func TestSimilar_RejectsBadQueries(t *testing.T) {
	c, model, _ := similarFixture(t)
	if _, err := c.Similar(ctx, model, make([]float32, 31), 5, SimilarOptions{}); !errors.Is(err, ErrWrongDims) {
		t.Errorf("31-dim query: %v; want ErrWrongDims", err)
	}
	if _, err := c.Similar(ctx, model, make([]float32, 32), 5, SimilarOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero query: %v; want ErrInvalid", err)
	}
	if _, err := c.Similar(ctx, model, randomUnit(newRand(1), 32), 5000, SimilarOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("k = 5000: %v; want ErrInvalid", err)
	}
	if _, err := c.Similar(ctx, 99, randomUnit(newRand(1), 32), 5, SimilarOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown model: %v; want ErrNotFound", err)
	}
}

// Each model has its own vec table: a search in one never returns vectors of another.
func TestSimilar_ModelsNeverMix(t *testing.T) {
	c := openTemp(t)
	m1, m2 := testModel(t, c, 1, 8), testModel(t, c, 2, 8)
	r := newRand(3)
	putAll(t, c, m1.ID, []ImageRecord{{Image: testImage(1), Vector: randomUnit(r, 8)}, {Image: testImage(2), Vector: randomUnit(r, 8)}})
	shared := randomUnit(r, 8)
	putAll(t, c, m2.ID, []ImageRecord{{Image: testImage(3), Vector: shared}})

	got1, _ := c.Similar(ctx, m1.ID, shared, 10, SimilarOptions{})
	got2, _ := c.Similar(ctx, m2.ID, shared, 10, SimilarOptions{})
	if ids := neighborIDs(got1); len(ids) != 2 || slices.Contains(ids, 3) {
		t.Errorf("model 1 search = %v; want images 1 and 2 only", ids)
	}
	if ids := neighborIDs(got2); !slices.Equal(ids, []int64{3}) || got2[0].Distance > 1e-6 {
		t.Errorf("model 2 search = %+v; want image 3 at distance 0", got2)
	}
	tables, _ := queryStrings(ctx, c.read, `SELECT name FROM sqlite_master WHERE sql LIKE '%USING vec0%' ORDER BY name`)
	if !slices.Equal(tables, []string{"vec_model_1", "vec_model_2"}) {
		t.Errorf("vec tables = %v", tables)
	}
}

func TestVectors_ReadsInTheOrderAsked(t *testing.T) {
	c, model, vecs := similarFixture(t)
	ids := []int64{42, 3, 17, 3}
	got, err := c.Vectors(ctx, model, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if !slices.Equal(got[i], vecs[id-1]) {
			t.Errorf("vector %d (image %d) differs from the one stored", i, id)
		}
	}
	all := make([]int64, 0, len(vecs)) // most ids: read in one pass over the model's vectors
	for id := len(vecs); id >= 1; id-- {
		all = append(all, int64(id))
	}
	got, err = c.Vectors(ctx, model, all)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range all {
		if !slices.Equal(got[i], vecs[id-1]) {
			t.Errorf("vector %d (image %d) differs from the one stored", i, id)
		}
	}
	if _, err := c.Vectors(ctx, model, []int64{1, 1000}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing id: %v; want ErrNotFound", err)
	}
}

func neighborIDs(ns []pixplot.Neighbor) []int64 {
	var ids []int64
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}
