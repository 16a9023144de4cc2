package pca

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pixplot/pixplot/plot/internal/rng"
)

// withSpectrum returns the symmetric matrix Q·diag(spectrum)·Qᵀ for a random
// orthonormal Q, row-major.
func withSpectrum(spectrum []float64, seed uint64) []float64 {
	n := len(spectrum)
	r := rng.New(seed, 3)
	raw := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			raw.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(raw)
	var q mat.Dense
	qr.QTo(&q)
	var a mat.Dense
	a.Mul(&q, mat.NewDiagDense(n, spectrum))
	a.Mul(&a, q.T())
	out := make([]float64, n*n)
	for i := range n {
		for j := range n {
			out[i*n+j] = (a.At(i, j) + a.At(j, i)) / 2
		}
	}
	return out
}

// wantEigenpairs checks that the k vectors are orthonormal and that each is
// an eigenvector of a for its value: ‖Av − λv‖ ≤ tol·‖A‖.
func wantEigenpairs(t *testing.T, a []float64, n int, values, vectors []float64, k int, tol float64) {
	t.Helper()
	norm := 0.0
	for i := range n {
		var row float64
		for j := range n {
			row += math.Abs(a[i*n+j])
		}
		norm = max(norm, row)
	}
	norm = max(norm, 1e-300)
	for c := range k {
		v := vectors[c*n : (c+1)*n]
		var residual float64
		for i := range n {
			var av float64
			for j := range n {
				av += a[i*n+j] * v[j]
			}
			residual = max(residual, math.Abs(av-values[c]*v[i]))
		}
		if residual > tol*norm {
			t.Errorf("vector %d: ‖Av − λv‖∞ = %.3g for λ = %.6g, want ≤ %.3g", c, residual, values[c], tol*norm)
		}
		for o := range c + 1 {
			var dot float64
			for i := range n {
				dot += v[i] * vectors[o*n+i]
			}
			want := 0.0
			if o == c {
				want = 1
			}
			if math.Abs(dot-want) > tol {
				t.Errorf("vectors %d·%d = %.3g, want %g", c, o, dot, want)
			}
		}
	}
}

func TestLeadingEigen_MatchesTheDenseDecomposition(t *testing.T) {
	// A covariance-like spectrum: power-law decay, as image embeddings have.
	n, k := 200, 60
	spectrum := make([]float64, n)
	for i := range spectrum {
		spectrum[i] = 1 / float64(i+1)
	}
	a := withSpectrum(spectrum, 1)
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(n, append([]float64(nil), a...)), true) {
		t.Fatal("reference decomposition failed")
	}
	want := eig.Values(nil)
	var wantVectors mat.Dense
	eig.VectorsTo(&wantVectors)

	values, vectors, err := leadingEigen(append([]float64(nil), a...), n, k)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if math.Abs(values[i]-want[n-1-i]) > 1e-12 {
			t.Errorf("value %d = %.15g, reference %.15g", i, values[i], want[n-1-i])
		}
	}
	for c := range k {
		var cosine float64
		for i := range n {
			cosine += vectors[c*n+i] * wantVectors.At(i, n-1-c)
		}
		if math.Abs(math.Abs(cosine)-1) > 1e-9 {
			t.Errorf("vector %d: |cosine| with the reference %.12f", c, math.Abs(cosine))
		}
	}
	wantEigenpairs(t, a, n, values, vectors, k, 1e-12)
}

func TestLeadingEigen_FindsOrthonormalVectorsForRepeatedEigenvalues(t *testing.T) {
	n := 60
	spectrum := make([]float64, n) // 9 three times, 4 twice, 1, then a null space of 54
	copy(spectrum, []float64{9, 9, 9, 4, 4, 1})
	diagonal := make([]float64, n*n) // its tridiagonal form splits into 1×1 blocks
	for i, s := range spectrum {
		diagonal[i*n+i] = s
	}
	for name, a := range map[string][]float64{
		"rotated":  withSpectrum(spectrum, 2),
		"diagonal": diagonal,
		"zero":     make([]float64, n*n),
	} {
		t.Run(name, func(t *testing.T) {
			k := 40 // well into the null space
			values, vectors, err := leadingEigen(append([]float64(nil), a...), n, k)
			if err != nil {
				t.Fatal(err)
			}
			wantEigenpairs(t, a, n, values, vectors, k, 1e-12)
		})
	}
}
