// Package quality measures how well a 2-D layout keeps the structure of
// the data it was made from: trustworthiness (as scikit-learn's
// sklearn.manifold.trustworthiness) and the accuracy of a k-nearest-
// neighbour label vote in the layout.
package quality

import (
	"fmt"
	"math"
	"slices"

	"github.com/pixplot/pixplot/plot/internal/parallel"
	"github.com/pixplot/pixplot/plot/knn"
)

// Trustworthiness is scikit-learn's trustworthiness of a layout: 1 minus a
// normalised penalty for every point that is among a point's k nearest in
// the layout but not in the data, weighted by how far down the data's
// neighbour ranking it is. 1 is perfect; random layouts score about 0.5.
// data has dim values per row, layout one [2]float32 per row; distances in
// the data use metric. It costs O(n²·dim); pass a sample for large n.
func Trustworthiness(data []float32, dim int, layout [][2]float32, k int, metric knn.Metric, threads int) (float64, error) {
	n, err := knn.CheckData(data, dim)
	if err != nil {
		return 0, fmt.Errorf("quality: %w", err)
	}
	if len(layout) != n {
		return 0, fmt.Errorf("quality: %d layout points for %d data rows", len(layout), n)
	}
	if k < 1 || k >= n/2 {
		return 0, fmt.Errorf("quality: k = %d for %d points (want 1 ≤ k < n/2)", k, n)
	}
	rows := prepare(data, dim, metric)
	penalties := make([]float64, n)
	parallel.Range(n, 16, threads, func(lo, hi int) {
		dist := make([]float64, n)
		order := make([]int, n)
		rank := make([]int, n)
		for i := lo; i < hi; i++ {
			for j := range n {
				dist[j] = rows.distance(i, j)
				order[j] = j
			}
			dist[i] = math.Inf(-1) // the point itself ranks 0
			slices.SortFunc(order, func(a, b int) int { return cmpFloat(dist[a], dist[b], a, b) })
			for r, j := range order {
				rank[j] = r
			}
			for _, j := range layoutNeighbours(layout, i, k) {
				if rank[j] > k {
					penalties[i] += float64(rank[j] - k)
				}
			}
		}
	})
	var sum float64
	for _, p := range penalties {
		sum += p
	}
	fn, fk := float64(n), float64(k)
	return 1 - sum*2/(fn*fk*(2*fn-3*fk-1)), nil
}

func cmpFloat(x, y float64, a, b int) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return a - b
}

// layoutNeighbours returns the k points nearest to point i in the layout
// (by brute force; Trustworthiness is quadratic anyway).
func layoutNeighbours(layout [][2]float32, i, k int) []int {
	best := newNearestK(k)
	for j, p := range layout {
		if j != i {
			dx, dy := float64(p[0])-float64(layout[i][0]), float64(p[1])-float64(layout[i][1])
			best.offer(j, dx*dx+dy*dy)
		}
	}
	return best.indices()
}

// nearestK keeps the k closest candidates offered, closest first; among equal
// distances the earlier offer stays first.
type nearestK struct {
	k    int
	best []candidate
}

type candidate struct {
	j int
	d float64
}

func newNearestK(k int) *nearestK { return &nearestK{k: k, best: make([]candidate, 0, k+1)} }

func (n *nearestK) offer(j int, d float64) {
	if len(n.best) == n.k && d >= n.best[n.k-1].d {
		return
	}
	at, _ := slices.BinarySearchFunc(n.best, d, func(c candidate, d float64) int {
		if c.d <= d {
			return -1
		}
		return 1
	})
	n.best = slices.Insert(n.best, at, candidate{j, d})
	if len(n.best) > n.k {
		n.best = n.best[:n.k]
	}
}

// full reports whether k candidates are kept, and the farthest distance kept.
func (n *nearestK) full() (bool, float64) {
	if len(n.best) < n.k || n.k == 0 {
		return false, 0
	}
	return true, n.best[n.k-1].d
}

func (n *nearestK) indices() []int {
	out := make([]int, len(n.best))
	for t, c := range n.best {
		out[t] = c.j
	}
	return out
}

// preparedRows gives distances between data rows under a metric.
type preparedRows struct {
	dim    int
	vals   []float64
	metric knn.Metric
}

func prepare(data []float32, dim int, metric knn.Metric) preparedRows {
	vals := make([]float64, len(data))
	for i, v := range data {
		vals[i] = float64(v)
	}
	if metric != knn.Euclidean {
		for i := 0; i < len(vals); i += dim {
			row := vals[i : i+dim]
			if metric == knn.Correlation {
				var mean float64
				for _, v := range row {
					mean += v
				}
				mean /= float64(dim)
				for d := range row {
					row[d] -= mean
				}
			}
			var sq float64
			for _, v := range row {
				sq += v * v
			}
			if sq > 0 {
				inv := 1 / math.Sqrt(sq)
				for d := range row {
					row[d] *= inv
				}
			}
		}
	}
	return preparedRows{dim: dim, vals: vals, metric: metric}
}

func (p preparedRows) distance(i, j int) float64 {
	x, y := p.vals[i*p.dim:(i+1)*p.dim], p.vals[j*p.dim:(j+1)*p.dim]
	var s float64
	if p.metric == knn.Euclidean {
		for d := range x {
			s += (x[d] - y[d]) * (x[d] - y[d])
		}
		return s // squared: same ranking
	}
	for d := range x {
		s += x[d] * y[d]
	}
	return 1 - s
}

// KNNAccuracy is the leave-one-out accuracy of a k-nearest-neighbour
// majority vote in the layout: the fraction of points whose label is the
// most common among their k nearest other points (ties go to the smallest
// label, as scikit-learn's KNeighborsClassifier). Points labelled -1 are
// neither voted on nor vote.
func KNNAccuracy(layout [][2]float32, labels []int, k int, threads int) (float64, error) {
	if len(labels) != len(layout) {
		return 0, fmt.Errorf("quality: %d labels for %d layout points", len(labels), len(layout))
	}
	var pts [][2]float32
	var lab []int
	for i, l := range labels {
		if l >= 0 {
			pts = append(pts, layout[i])
			lab = append(lab, l)
		}
	}
	if k < 1 || k >= len(pts) {
		return 0, fmt.Errorf("quality: k = %d for %d labelled points", k, len(pts))
	}
	grid := newGrid(pts)
	correct := make([]bool, len(pts))
	parallel.Range(len(pts), 1024, threads, func(lo, hi int) {
		votes := map[int]int{}
		for i := lo; i < hi; i++ {
			clear(votes)
			for _, j := range grid.nearest(i, k) {
				votes[lab[j]]++
			}
			best, bestCount := -1, 0
			for l, c := range votes {
				if c > bestCount || (c == bestCount && l < best) {
					best, bestCount = l, c
				}
			}
			correct[i] = best == lab[i]
		}
	})
	hits := 0
	for _, c := range correct {
		if c {
			hits++
		}
	}
	return float64(hits) / float64(len(pts)), nil
}
