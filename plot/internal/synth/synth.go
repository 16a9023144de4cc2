// Package synth generates reproducible test inputs for the plot algorithms:
// Gaussian blobs with known labels, and embedding-like vectors (a latent
// mixture projected into a high dimension, L2-normalised).
package synth

import (
	"math"

	"github.com/pixplot/pixplot/plot/internal/rng"
)

// Blobs returns n points in dim dimensions drawn from centers isotropic
// Gaussians (standard deviation sigma) whose centres are Gaussian with
// standard deviation spread, row-major, with each point's blob as its label.
func Blobs(n, dim, centers int, spread, sigma float64, seed uint64) ([]float32, []int) {
	r := rng.New(seed, 1)
	centre := make([]float64, centers*dim)
	for i := range centre {
		centre[i] = r.NormFloat64() * spread
	}
	data := make([]float32, n*dim)
	labels := make([]int, n)
	for i := range n {
		c := i % centers
		labels[i] = c
		for d := range dim {
			data[i*dim+d] = float32(centre[c*dim+d] + r.NormFloat64()*sigma)
		}
	}
	return data, labels
}

// Embeddings returns n unit vectors in dim dimensions that look like image
// embeddings: clusters of a latent-dimensional mixture (cluster spread 1,
// within-cluster spread withinSpread), mapped by a random linear map to dim
// dimensions, plus isotropic noise, then L2-normalised. The labels are the
// clusters.
func Embeddings(n, dim, latent, clusters int, withinSpread, noise float64, seed uint64) ([]float32, []int) {
	r := rng.New(seed, 2)
	centre := make([]float64, clusters*latent)
	for i := range centre {
		centre[i] = r.NormFloat64()
	}
	projection := make([]float64, latent*dim)
	for i := range projection {
		projection[i] = r.NormFloat64() / math.Sqrt(float64(latent))
	}
	data := make([]float32, n*dim)
	labels := make([]int, n)
	z := make([]float64, latent)
	row := make([]float64, dim)
	for i := range n {
		c := r.IntN(clusters)
		labels[i] = c
		for l := range z {
			z[l] = centre[c*latent+l] + r.NormFloat64()*withinSpread
		}
		var sq float64
		for d := range row {
			v := r.NormFloat64() * noise
			for l, zl := range z {
				v += zl * projection[l*dim+d]
			}
			row[d] = v
			sq += v * v
		}
		inv := 1 / math.Sqrt(sq)
		for d, v := range row {
			data[i*dim+d] = float32(v * inv)
		}
	}
	return data, labels
}
