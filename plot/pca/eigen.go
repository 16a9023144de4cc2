package pca

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack/gonum"

	"github.com/pixplot/pixplot/plot/internal/rng"
)

var lapack gonum.Implementation

// leadingEigen returns all eigenvalues of the symmetric n×n matrix a
// (row-major; only its lower triangle is read, and a is overwritten) in
// decreasing order, and the unit eigenvectors of the first k of them as the
// rows of a k×n matrix.
//
// It is LAPACK's dsyevx route rather than a full decomposition: reduce to
// tridiagonal form, take the eigenvalues from it, find only the k wanted
// eigenvectors of the tridiagonal matrix by inverse iteration, and map them
// back through the reduction. For n = 768 this costs about a tenth of a
// full EigenSym, whose eigenvector accumulation dominates.
func leadingEigen(a []float64, n, k int) (values, vectors []float64, err error) {
	diag, off, tau := make([]float64, n), make([]float64, max(n-1, 0)), make([]float64, max(n-1, 0))
	work := make([]float64, 1)
	lapack.Dsytrd(blas.Lower, n, a, n, diag, off, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack.Dsytrd(blas.Lower, n, a, n, diag, off, tau, work, len(work))

	ascending := append([]float64(nil), diag...)
	if !lapack.Dsterf(n, ascending, append([]float64(nil), off...)) {
		return nil, nil, errors.New("eigenvalues of the tridiagonal form did not converge")
	}
	values = make([]float64, n)
	for i, v := range ascending {
		values[n-1-i] = v
	}

	z := tridiagonalEigenvectors(diag, off, values[:k]) // n×k, column c for values[c]
	if n > 1 {
		// Q = H_0…H_{n-2} acts on rows 1…n-1; its reflectors sit below the
		// subdiagonal of a, which is Dgeqrf's layout for the (n-1)×(n-1)
		// matrix starting at a[1][0].
		lapack.Dormqr(blas.Left, blas.NoTrans, n-1, k, n-1, a[n:], n, tau, z[k:], k, work, -1)
		work = make([]float64, int(work[0]))
		lapack.Dormqr(blas.Left, blas.NoTrans, n-1, k, n-1, a[n:], n, tau, z[k:], k, work, len(work))
	}
	vectors = make([]float64, k*n)
	for i := range n {
		for c := range k {
			vectors[c*n+i] = z[i*k+c]
		}
	}
	return values, vectors, nil
}

// Inverse iteration parameters, as in LAPACK's dstein: eigenvalues closer
// than clusterGap·‖T‖ have their vectors orthogonalised against each other,
// and shifts within a cluster are kept at least shiftGap·‖T‖ apart so that
// equal eigenvalues still yield different vectors.
const (
	clusterGap      = 1e-3
	shiftGap        = 10 * epsilon
	epsilon         = 0x1p-52
	inverseSteps    = 3 // each gains ~‖T‖/gap ≥ 1e3, and 1e13 for isolated eigenvalues
	rescaleAbove    = 1e150
	rescaleFactor   = 1e-150
	startVectorSeed = 0x70ca
)

// tridiagonalEigenvectors returns the unit eigenvectors of the symmetric
// tridiagonal matrix T (diagonal diag, off-diagonal off) for the eigenvalues
// values, given in decreasing order, as the columns of an n×len(values)
// row-major matrix.
func tridiagonalEigenvectors(diag, off, values []float64) []float64 {
	n, k := len(diag), len(values)
	norm := 0.0 // ‖T‖₁
	for i, d := range diag {
		row := math.Abs(d)
		if i > 0 {
			row += math.Abs(off[i-1])
		}
		if i < n-1 {
			row += math.Abs(off[i])
		}
		norm = max(norm, row)
	}
	if norm == 0 {
		norm = 1 // T = 0: every vector is an eigenvector; any orthonormal set will do
	}
	z := make([]float64, n*k)
	lu := newTridiagonalLU(n)
	x := make([]float64, n)
	cluster := make([][]float64, 0, k) // the vectors found so far in the current cluster
	shift := 0.0
	for c, value := range values {
		if c == 0 || values[c-1]-value > clusterGap*norm {
			cluster = cluster[:0]
			shift = value
		} else {
			// Keep shifts apart (they decrease), so that equal eigenvalues do not
			// all pull the start vector towards the same direction.
			shift = min(value, shift-shiftGap*norm)
		}
		lu.factor(diag, off, shift, epsilon*norm)
		r := rng.New(startVectorSeed, uint64(c))
		for i := range x {
			x[i] = 2*r.Float64() - 1
		}
		for step := range inverseSteps {
			lu.solve(x)
			orthogonalise(x, cluster)
			if step == inverseSteps-1 {
				orthogonalise(x, cluster) // twice is enough for full orthogonality
			}
			normalise(x)
		}
		v := append([]float64(nil), x...)
		cluster = append(cluster, v)
		for i, xi := range v {
			z[i*k+c] = xi
		}
	}
	return z
}

// tridiagonalLU is the factorisation P(T − sI) = LU with partial pivoting of
// a shifted tridiagonal matrix: U has two superdiagonals, L one multiplier per
// row, and swapped records which rows were exchanged.
type tridiagonalLU struct {
	u0, u1, u2 []float64
	multiplier []float64
	swapped    []bool
}

func newTridiagonalLU(n int) *tridiagonalLU {
	return &tridiagonalLU{u0: make([]float64, n), u1: make([]float64, n), u2: make([]float64, n),
		multiplier: make([]float64, n), swapped: make([]bool, n)}
}

// factor factorises T − shift·I. Pivots smaller than tiny are replaced by
// ±tiny: a (nearly) singular factor is exactly what inverse iteration wants,
// as long as the solve stays finite.
func (f *tridiagonalLU) factor(diag, off []float64, shift, tiny float64) {
	n := len(diag)
	pivot := diag[0] - shift // row i's entries at columns i and i+1, after elimination
	var super float64
	if n > 1 {
		super = off[0]
	}
	for i := 0; i < n-1; i++ {
		below := off[i] // row i+1 at column i
		nextDiag, nextSuper := diag[i+1]-shift, 0.0
		if i+1 < n-1 {
			nextSuper = off[i+1]
		}
		if math.Abs(pivot) >= math.Abs(below) {
			m := 0.0
			if below != 0 {
				m = below / pivot
			}
			f.u0[i], f.u1[i], f.u2[i], f.multiplier[i], f.swapped[i] = pivot, super, 0, m, false
			pivot, super = nextDiag-m*super, nextSuper
		} else {
			m := pivot / below
			f.u0[i], f.u1[i], f.u2[i], f.multiplier[i], f.swapped[i] = below, nextDiag, nextSuper, m, true
			pivot, super = super-m*nextDiag, -m*nextSuper
		}
	}
	f.u0[n-1] = pivot
	for i, p := range f.u0[:n] {
		if math.Abs(p) < tiny {
			f.u0[i] = math.Copysign(tiny, p)
		}
	}
}

// solve overwrites b with a multiple of (T − shift·I)⁻¹b: the solution is
// rescaled on the way when it grows towards overflow, which a direction
// does not mind.
func (f *tridiagonalLU) solve(b []float64) {
	n := len(b)
	for i := 0; i < n-1; i++ {
		if f.swapped[i] {
			b[i], b[i+1] = b[i+1], b[i]
		}
		b[i+1] -= f.multiplier[i] * b[i]
	}
	for i := n - 1; i >= 0; i-- {
		v := b[i]
		if i+1 < n {
			v -= f.u1[i] * b[i+1]
		}
		if i+2 < n {
			v -= f.u2[i] * b[i+2]
		}
		b[i] = v / f.u0[i]
		if math.Abs(b[i]) > rescaleAbove {
			for j := range b {
				b[j] *= rescaleFactor // the solved part and the rest of the right-hand side alike
			}
		}
	}
}

// orthogonalise removes from x its components along the orthonormal vectors
// basis (modified Gram–Schmidt).
func orthogonalise(x []float64, basis [][]float64) {
	for _, v := range basis {
		var dot float64
		for i, vi := range v {
			dot += vi * x[i]
		}
		for i, vi := range v {
			x[i] -= dot * vi
		}
	}
}

func normalise(x []float64) {
	var sq float64
	for _, v := range x {
		sq += v * v
	}
	scale := 1 / math.Sqrt(sq)
	for i := range x {
		x[i] *= scale
	}
}
