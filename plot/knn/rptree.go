package knn

import (
	"math"

	"github.com/pixplot/pixplot/plot/internal/rng"
)

// rpLeaves are the leaves of one random-projection tree: leaf j holds
// points[bounds[j]:bounds[j+1]].
type rpLeaves struct {
	points []int32
	bounds []int32
}

func (l rpLeaves) leaf(j int) []int32 { return l.points[l.bounds[j]:l.bounds[j+1]] }

// hyperplaneEps is pynndescent's tolerance for a point lying on a hyperplane.
const hyperplaneEps = 1e-8

// rpTree splits the points recursively by the hyperplane halfway between two
// random points of each node (through the origin for the angular metrics)
// until no node holds more than leafSize points. Only the leaves are kept.
func (s *space) rpTree(seed uint64, leafSize int) rpLeaves {
	r := rng.NewFast(seed)
	points := make([]int32, s.n)
	for i := range points {
		points[i] = int32(i)
	}
	bounds := []int32{0}
	normal := make([]float32, s.dim)
	side := make([]bool, s.n) // true: left of the hyperplane
	type node struct{ lo, hi int }
	stack := []node{{0, s.n}}
	for len(stack) > 0 {
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if nd.hi-nd.lo <= leafSize {
			bounds = append(bounds, int32(nd.hi))
			continue
		}
		mid := s.split(points[nd.lo:nd.hi], side[nd.lo:nd.hi], normal, &r)
		// Push the right child first so leaves come out left to right.
		stack = append(stack, node{nd.lo + mid, nd.hi}, node{nd.lo, nd.lo + mid})
	}
	return rpLeaves{points: points, bounds: bounds}
}

// split reorders points so that those left of a random hyperplane come
// first and returns how many they are (always 1 … len−1).
func (s *space) split(points []int32, side []bool, normal []float32, r *rng.Fast) int {
	n := len(points)
	a := int(r.Below(uint32(n)))
	b := int(r.Below(uint32(n)))
	if a == b {
		b = (b + 1) % n
	}
	left, right := s.row(points[a]), s.row(points[b])
	var offset float32
	if s.metric == Euclidean {
		// Normal x_a − x_b through the midpoint of the two points.
		for d := range normal {
			normal[d] = left[d] - right[d]
			offset -= normal[d] * (left[d] + right[d]) / 2
		}
	} else {
		// The vectors are unit length, so x_a − x_b bisects their angle.
		var sq float64
		for d := range normal {
			normal[d] = left[d] - right[d]
			sq += float64(normal[d]) * float64(normal[d])
		}
		if norm := math.Sqrt(sq); norm > hyperplaneEps {
			for d := range normal {
				normal[d] /= float32(norm)
			}
		}
	}
	nLeft := 0
	for i, p := range points {
		margin := offset + dot(normal, s.row(p))
		if math.Abs(float64(margin)) < hyperplaneEps {
			side[i] = r.Below(2) == 0
		} else {
			side[i] = margin > 0
		}
		if side[i] {
			nLeft++
		}
	}
	if nLeft == 0 || nLeft == n {
		// All points on one side (e.g. duplicates): split at random instead.
		nLeft = 0
		for i := range side {
			side[i] = r.Below(2) == 0
			if side[i] {
				nLeft++
			}
		}
		if nLeft == 0 || nLeft == n {
			for i := range side {
				side[i] = i < n/2
			}
			nLeft = n / 2
		}
	}
	// Stable in-place partition is not needed; a two-pointer swap keeps it O(n).
	i, j := 0, n-1
	for i < j {
		for i < j && side[i] {
			i++
		}
		for i < j && !side[j] {
			j--
		}
		if i < j {
			points[i], points[j] = points[j], points[i]
			side[i], side[j] = side[j], side[i]
		}
	}
	return nLeft
}
