// Package pca reduces float32 vectors to their leading principal
// components: the covariance is accumulated with float32 matrix products on
// mean-centred blocks (summed in float64), and the eigenvectors of only the
// wanted components come from its tridiagonal form (see leadingEigen).
// Component signs are fixed so that each component's largest loading is
// positive, so results are repeatable.
package pca

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/pixplot/pixplot/plot/internal/parallel"
)

// DefaultMaxFitRows is how many rows Fit uses at most unless told otherwise:
// the leading components of a few tens of thousands of rows are as good as
// those of all rows for projecting, and the covariance costs n·dim² work.
const DefaultMaxFitRows = 25000

// Options configure Fit.
type Options struct {
	// MaxFitRows bounds the rows the covariance is computed from (evenly
	// spaced through the input); 0 means DefaultMaxFitRows, negative all rows.
	MaxFitRows int
	Threads    int // goroutines; 0 means GOMAXPROCS. Results do not depend on it.
}

// Model is a fitted projection onto the leading principal components.
type Model struct {
	Dim        int       // input dimension
	Components int       // output dimension
	Mean       []float32 // per input dimension
	// Basis holds the components as unit rows (Components × Dim, row-major),
	// by decreasing variance.
	Basis []float32
	// Variance is the variance along each component (eigenvalue of the
	// covariance with divisor rows−1).
	Variance []float64
	// TotalVariance is the sum of all input dimensions' variances, so
	// Variance[i]/TotalVariance is the explained variance ratio.
	TotalVariance float64
}

var kernels gonum.Implementation

// blockRows is how many rows are centred and multiplied at a time.
const blockRows = 2048

// Fit computes the leading components of the rows of data (row-major, dim
// values per row).
func Fit(data []float32, dim, components int, opts Options) (*Model, error) {
	n, err := checkMatrix(data, dim)
	if err != nil {
		return nil, err
	}
	if components < 1 || components > dim {
		return nil, fmt.Errorf("pca: %d components of %d-dimensional data (want 1 … %d)", components, dim, dim)
	}
	rows := fitRows(n, opts.MaxFitRows)
	mean := make([]float64, dim)
	for _, i := range rows {
		for d, v := range data[i*dim : (i+1)*dim] {
			mean[d] += float64(v)
		}
	}
	for d := range mean {
		mean[d] /= float64(len(rows))
	}
	cov := covariance(data, dim, rows, mean, opts.Threads)
	values, vectors, err := leadingEigen(cov, dim, components)
	if err != nil {
		return nil, fmt.Errorf("pca: eigen-decomposition of the %d×%d covariance: %w", dim, dim, err)
	}
	m := &Model{Dim: dim, Components: components, Mean: make([]float32, dim),
		Basis: make([]float32, components*dim), Variance: make([]float64, components)}
	for d := range mean {
		m.Mean[d] = float32(mean[d])
	}
	for _, v := range values {
		m.TotalVariance += max(v, 0)
	}
	for c := range components {
		m.Variance[c] = max(values[c], 0)
		vector := vectors[c*dim : (c+1)*dim]
		var peak float64
		for _, v := range vector {
			if math.Abs(v) > math.Abs(peak) {
				peak = v
			}
		}
		sign := 1.0
		if peak < 0 {
			sign = -1
		}
		for d, v := range vector {
			m.Basis[c*dim+d] = float32(sign * v)
		}
	}
	return m, nil
}

// fitRows picks up to maxRows evenly spaced row indices.
func fitRows(n, maxRows int) []int {
	if maxRows == 0 {
		maxRows = DefaultMaxFitRows
	}
	if maxRows < 0 || maxRows >= n {
		maxRows = n
	}
	rows := make([]int, maxRows)
	for k := range rows {
		rows[k] = int(int64(k) * int64(n) / int64(maxRows))
	}
	return rows
}

// sumGroups is how many partial covariance sums are kept: block b goes to
// sum b mod sumGroups, in block order, and the sums are added in a fixed
// order, so the result does not depend on the number of threads.
const sumGroups = 8

// covariance returns the dim×dim covariance (divisor rows−1, or 1 for a
// single row) of the chosen rows, row-major.
func covariance(data []float32, dim int, rows []int, mean []float64, threads int) []float64 {
	blocks := (len(rows) + blockRows - 1) / blockRows
	groups := min(sumGroups, blocks)
	partial := make([][]float64, groups)
	parallel.Chunks(groups, threads, func(group int) {
		sum := make([]float64, dim*dim)
		transposed := make([]float32, dim*blockRows) // centred block, dim × rows
		gram := make([]float32, dim*dim)
		for b := group; b < blocks; b += groups {
			block := rows[b*blockRows : min((b+1)*blockRows, len(rows))]
			stride := len(block)
			for r, i := range block {
				for d, v := range data[i*dim : (i+1)*dim] {
					transposed[d*stride+r] = float32(float64(v) - mean[d])
				}
			}
			// gram = blockᵀ·block, as (dim×rows)·(dim×rows)ᵀ: gonum's
			// fastest product form (dot products of contiguous rows).
			kernels.Sgemm(blas.NoTrans, blas.Trans, dim, dim, stride, 1, transposed, stride, transposed, stride, 0, gram, dim)
			for k := range gram {
				sum[k] += float64(gram[k])
			}
		}
		partial[group] = sum
	})
	cov := make([]float64, dim*dim)
	for _, p := range partial {
		for k, v := range p {
			cov[k] += v
		}
	}
	divisor := float64(max(len(rows)-1, 1))
	for i := range dim {
		for j := i; j < dim; j++ {
			v := cov[i*dim+j] / divisor
			cov[i*dim+j], cov[j*dim+i] = v, v
		}
	}
	return cov
}

// Transform projects the rows of data onto the components: the result has
// Components values per row.
func (m *Model) Transform(data []float32, threads int) ([]float32, error) {
	n, err := checkMatrix(data, m.Dim)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n*m.Components)
	blocks := (n + blockRows - 1) / blockRows
	parallel.Chunks(blocks, threads, func(b int) {
		lo, hi := b*blockRows, min((b+1)*blockRows, n)
		centred := make([]float32, (hi-lo)*m.Dim)
		for i := lo; i < hi; i++ {
			for d, v := range data[i*m.Dim : (i+1)*m.Dim] {
				centred[(i-lo)*m.Dim+d] = v - m.Mean[d]
			}
		}
		kernels.Sgemm(blas.NoTrans, blas.Trans, hi-lo, m.Components, m.Dim, 1,
			centred, m.Dim, m.Basis, m.Dim, 0, out[lo*m.Components:], m.Components)
	})
	return out, nil
}

// Reduce fits a model to data and returns the data projected on it.
func Reduce(data []float32, dim, components int, opts Options) ([]float32, *Model, error) {
	m, err := Fit(data, dim, components, opts)
	if err != nil {
		return nil, nil, err
	}
	out, err := m.Transform(data, opts.Threads)
	if err != nil {
		return nil, nil, err
	}
	return out, m, nil
}

// checkMatrix validates a row-major matrix and returns its number of rows.
func checkMatrix(data []float32, dim int) (int, error) {
	if dim < 1 {
		return 0, fmt.Errorf("pca: dimension %d (want ≥ 1)", dim)
	}
	if len(data) == 0 || len(data)%dim != 0 {
		return 0, fmt.Errorf("pca: %d values is not a whole, non-zero number of %d-dimensional rows", len(data), dim)
	}
	if i := slices.IndexFunc(data, func(v float32) bool {
		return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0)
	}); i >= 0 {
		return 0, fmt.Errorf("pca: row %d column %d is %v (want a finite number)", i/dim, i%dim, data[i])
	}
	return len(data) / dim, nil
}
