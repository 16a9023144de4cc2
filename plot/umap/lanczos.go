package umap

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/pixplot/pixplot/plot/internal/parallel"
	"github.com/pixplot/pixplot/plot/internal/rng"
)

// symmetricOperator is a symmetric n×n matrix known by its product with a
// vector: dst = M·src.
type symmetricOperator struct {
	n     int
	apply func(dst, src []float64)
}

// lanczosOptions bound the eigen-solver.
type lanczosOptions struct {
	basis     int     // Krylov vectors kept at most
	maxMatvec int     // products with the operator at most
	tol       float64 // residual ‖Mv − θv‖ accepted, relative to max(1, |θ|)
	seed      uint64
	threads   int
}

// topEigenvectors returns the count eigenvectors of op with the largest
// eigenvalues, orthogonal to the orthonormal vectors in exclude, by
// thick-restart Lanczos with full reorthogonalisation. If the residuals do
// not reach tol within maxMatvec products, the best Ritz vectors so far are
// returned: they span nearly the right subspace, which is all an initial
// layout needs.
func topEigenvectors(op symmetricOperator, exclude [][]float64, count int, o lanczosOptions) (values []float64, vectors [][]float64) {
	n := op.n
	m := min(max(o.basis, count+2), n-len(exclude))
	r := rng.New(o.seed, 0x1a2c05)
	basis := make([][]float64, 0, m)
	basis = append(basis, randomDirection(n, r, exclude, nil, o.threads))
	h := mat.NewSymDense(m, nil) // basisᵀ·M·basis
	matvecs := 0
	var eig mat.EigenSym
	var ritz mat.Dense
	for {
		// Extend the basis to m vectors; residual is what is left of the
		// last product, so that M·basis = basis·h + residual·e_mᵀ.
		var residual []float64
		for j := len(basis) - 1; j < m; j++ {
			w := make([]float64, n)
			op.apply(w, basis[j])
			matvecs++
			project(w, exclude)
			// Classical Gram–Schmidt, twice; the coefficients are column j of h.
			coef := make([]float64, j+1)
			for range 2 {
				c := dots(basis[:j+1], w, o.threads)
				subtractCombination(w, basis[:j+1], c, o.threads)
				for i := range c {
					coef[i] += c[i]
				}
			}
			for i, c := range coef {
				h.SetSym(i, j, c)
			}
			if j+1 == m {
				residual = w
				break
			}
			if math.Sqrt(dotSerial(w, w)) < 1e-10 {
				// The basis spans an invariant subspace: go on in a new direction.
				w = randomDirection(n, r, exclude, basis, o.threads)
			} else {
				normalise(w)
			}
			basis = append(basis, w)
		}
		beta := math.Sqrt(dotSerial(residual, residual))
		if !eig.Factorize(h, true) {
			panic("umap: eigen-decomposition of the Lanczos matrix failed")
		}
		vals := eig.Values(nil)
		eig.VectorsTo(&ritz)
		order := descendingOrder(vals)
		converged := true
		for _, c := range order[:count] {
			if beta*math.Abs(ritz.At(m-1, c)) > o.tol*max(1, math.Abs(vals[c])) {
				converged = false
			}
		}
		keep := min(m-2, max(count+2, m/2))
		if converged || matvecs >= o.maxMatvec || keep < count {
			values = make([]float64, count)
			vectors = make([][]float64, count)
			for t, c := range order[:count] {
				values[t] = vals[c]
				vectors[t] = combine(basis, &ritz, c, o.threads)
			}
			return values, vectors
		}
		// Thick restart: keep the best Ritz vectors and the residual
		// direction. h becomes diagonal there; the couplings to the residual
		// come out of the next Gram–Schmidt.
		kept := make([][]float64, keep, m)
		h = mat.NewSymDense(m, nil)
		for t, c := range order[:keep] {
			kept[t] = combine(basis, &ritz, c, o.threads)
			h.SetSym(t, t, vals[c])
		}
		if beta < 1e-10 {
			residual = randomDirection(n, r, exclude, kept, o.threads)
		} else {
			normalise(residual)
		}
		basis = append(kept, residual)
	}
}

// randomDirection returns a random unit vector orthogonal to exclude and
// to the orthonormal vectors in basis.
func randomDirection(n int, r *rand.Rand, exclude, basis [][]float64, threads int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	project(v, exclude)
	for range 2 {
		if len(basis) > 0 {
			subtractCombination(v, basis, dots(basis, v, threads), threads)
		}
	}
	normalise(v)
	return v
}

// descendingOrder returns the indices of vals from largest to smallest.
func descendingOrder(vals []float64) []int {
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(p, q int) int {
		switch {
		case vals[p] > vals[q]:
			return -1
		case vals[p] < vals[q]:
			return 1
		}
		return 0
	})
	return order
}

// project removes the components of v along the orthonormal vectors u.
func project(v []float64, u [][]float64) {
	for _, e := range u {
		c := dotSerial(e, v)
		for i := range v {
			v[i] -= c * e[i]
		}
	}
}

func normalise(v []float64) {
	norm := math.Sqrt(dotSerial(v, v))
	if norm == 0 {
		return
	}
	for i := range v {
		v[i] /= norm
	}
}

func dotSerial(x, y []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dots returns uᵢ·v for each basis vector.
func dots(u [][]float64, v []float64, threads int) []float64 {
	out := make([]float64, len(u))
	parallel.Chunks(len(u), threads, func(i int) { out[i] = dotSerial(u[i], v) })
	return out
}

// subtractCombination sets v −= Σ cᵢ uᵢ.
func subtractCombination(v []float64, u [][]float64, c []float64, threads int) {
	parallel.Range(len(v), 8192, threads, func(lo, hi int) {
		for i, ui := range u {
			ci := c[i]
			for k := lo; k < hi; k++ {
				v[k] -= ci * ui[k]
			}
		}
	})
}

// combine returns Σᵢ basis[i]·coef[i][col].
func combine(basis [][]float64, coef *mat.Dense, col, threads int) []float64 {
	out := make([]float64, len(basis[0]))
	parallel.Range(len(out), 8192, threads, func(lo, hi int) {
		for i, b := range basis {
			c := coef.At(i, col)
			for k := lo; k < hi; k++ {
				out[k] += c * b[k]
			}
		}
	})
	return out
}
