package pca

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pixplot/pixplot/plot/internal/rng"
	"github.com/pixplot/pixplot/plot/internal/synth"
)

// planted returns n rows in dim dimensions with variances 25, 16, 9, 4, 1,
// 0.01, 0.01, … along a random orthonormal basis, offset by a mean of 3.
func planted(n, dim int, seed uint64) []float32 {
	r := rng.New(seed, 1)
	raw := mat.NewDense(dim, dim, nil)
	for i := range dim {
		for j := range dim {
			raw.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(raw)
	var basis mat.Dense
	qr.QTo(&basis)
	scales := []float64{5, 4, 3, 2, 1}
	data := make([]float32, n*dim)
	for i := range n {
		for c := range dim {
			s := 0.1
			if c < len(scales) {
				s = scales[c]
			}
			z := r.NormFloat64() * s
			for d := range dim {
				data[i*dim+d] += float32(z * basis.At(d, c))
			}
		}
		for d := range dim {
			data[i*dim+d] += 3
		}
	}
	return data
}

func TestFit_MatchesFloat64CovarianceEigenvectors(t *testing.T) {
	n, dim := 4000, 24
	data := planted(n, dim, 1)
	m, err := Fit(data, dim, 5, Options{MaxFitRows: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Reference: float64 covariance and a dense eigen-decomposition.
	x := mat.NewDense(n, dim, nil)
	for i := range n {
		for d := range dim {
			x.Set(i, d, float64(data[i*dim+d]))
		}
	}
	var cov mat.SymDense
	centred := mat.DenseCopyOf(x)
	for d := range dim {
		col := mat.Col(nil, d, x)
		var mean float64
		for _, v := range col {
			mean += v
		}
		mean /= float64(n)
		for i := range n {
			centred.Set(i, d, col[i]-mean)
		}
	}
	cov.SymOuterK(1/float64(n-1), centred.T())
	var eig mat.EigenSym
	eig.Factorize(&cov, true)
	values := eig.Values(nil)
	var vectors mat.Dense
	eig.VectorsTo(&vectors)
	for c := range 5 {
		want := mat.Col(nil, dim-1-c, &vectors)
		got := m.Basis[c*dim : (c+1)*dim]
		var cosine, peak float64
		for d := range want {
			cosine += want[d] * float64(got[d])
			if math.Abs(float64(got[d])) > math.Abs(peak) {
				peak = float64(got[d])
			}
		}
		if math.Abs(math.Abs(cosine)-1) > 1e-5 {
			t.Errorf("component %d: |cosine| with float64 reference %.7f", c, math.Abs(cosine))
		}
		if peak <= 0 {
			t.Errorf("component %d: largest loading %g, want positive", c, peak)
		}
		if rel := math.Abs(m.Variance[c]-values[dim-1-c]) / values[dim-1-c]; rel > 1e-5 {
			t.Errorf("component %d: variance %g, reference %g", c, m.Variance[c], values[dim-1-c])
		}
	}
	if math.Abs(m.Variance[0]-25) > 2 {
		t.Errorf("first variance %g, planted 25", m.Variance[0])
	}
}

func TestTransform_ProjectsCentredRowsOnTheBasis(t *testing.T) {
	dim := 10
	data := planted(500, dim, 2)
	out, m, err := Reduce(data, dim, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		for c := range 3 {
			var want float64
			for d := range dim {
				want += float64(data[i*dim+d]-m.Mean[d]) * float64(m.Basis[c*dim+d])
			}
			if got := float64(out[i*3+c]); math.Abs(got-want) > 1e-4*max(1, math.Abs(want)) {
				t.Fatalf("row %d component %d: %g, want %g", i, c, got, want)
			}
		}
	}
}

func TestReduce_IsSameForAnyThreadCount(t *testing.T) {
	dim := 40
	data := planted(20000, dim, 3) // 10 blocks of rows
	base, _, err := Reduce(data, dim, 8, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{2, 3, 7} {
		got, _, err := Reduce(data, dim, 8, Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, base) {
			t.Fatalf("threads %d: projection differs from the single-threaded one", threads)
		}
	}
}

func TestFit_UsesEvenlySpacedRowsWhenCapped(t *testing.T) {
	if got := fitRows(10, 4); !slices.Equal(got, []int{0, 2, 5, 7}) {
		t.Errorf("fitRows(10, 4) = %v", got)
	}
	if got := fitRows(3, 0); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("fitRows(3, default) = %v", got)
	}
	data := planted(6000, 12, 4)
	full, _ := Fit(data, 12, 2, Options{MaxFitRows: -1})
	capped, _ := Fit(data, 12, 2, Options{MaxFitRows: 2000})
	var cosine float64
	for d := range 12 {
		cosine += float64(full.Basis[d] * capped.Basis[d])
	}
	if cosine < 0.999 {
		t.Errorf("first component from 2000 of 6000 rows: cosine %.5f with the full fit", cosine)
	}
}

func TestFit_RejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name       string
		data       []float32
		dim, comps int
		want       string
	}{
		{"NaN", []float32{1, 2, 3, float32(math.NaN())}, 2, 1, "row 1 column 1 is NaN"},
		{"ragged", []float32{1, 2, 3}, 2, 1, "not a whole"},
		{"too many components", []float32{1, 2, 3, 4}, 2, 3, "3 components of 2-dimensional data"},
	} {
		_, err := Fit(tc.data, tc.dim, tc.comps, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// The pipeline's usual shape, scaled down: fewer rows than dimensions, as for
// a small selection, and more components than the rows' rank, as when many
// images are duplicates. Components must match a full dense decomposition of
// the same covariance; those beyond the rank only need to complete an
// orthonormal basis.
func TestFit_MatchesTheFullDecompositionWhenRowsAreFewerThanDimensions(t *testing.T) {
	const dim, components = 256, 100
	for _, n := range []int{120, 60} {
		data, _ := synth.Embeddings(n, dim, 32, 10, 0.3, 0.05, 5)
		m, err := Fit(data, dim, components, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows := fitRows(n, 0)
		mean := make([]float64, dim) // summed and divided as Fit does, for the same covariance
		for _, i := range rows {
			for d := range dim {
				mean[d] += float64(data[i*dim+d])
			}
		}
		for d := range mean {
			mean[d] /= float64(n)
		}
		var eig mat.EigenSym
		if !eig.Factorize(mat.NewSymDense(dim, covariance(data, dim, rows, mean, 1)), true) {
			t.Fatal("reference decomposition failed")
		}
		values := eig.Values(nil)
		var vectors mat.Dense
		eig.VectorsTo(&vectors)
		rank := min(n-1, components)
		for c := range components {
			if c < rank {
				var cosine float64
				for d := range dim {
					cosine += vectors.At(d, dim-1-c) * float64(m.Basis[c*dim+d])
				}
				if math.Abs(math.Abs(cosine)-1) > 1e-6 {
					t.Errorf("n=%d component %d: |cosine| with the reference %.9f", n, c, math.Abs(cosine))
				}
			}
			if diff := math.Abs(m.Variance[c] - max(values[dim-1-c], 0)); diff > 1e-12*values[dim-1] {
				t.Errorf("n=%d component %d: variance %g, reference %g", n, c, m.Variance[c], values[dim-1-c])
			}
			for o := range c + 1 {
				var dot float64
				for d := range dim {
					dot += float64(m.Basis[c*dim+d]) * float64(m.Basis[o*dim+d])
				}
				if want := b2f(o == c); math.Abs(dot-want) > 1e-6 {
					t.Errorf("n=%d: basis rows %d·%d = %g, want %g", n, c, o, dot, want)
				}
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
