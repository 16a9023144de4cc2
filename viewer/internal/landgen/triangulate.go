package main

import (
	"math"
	"slices"
)

// triangulate returns triangles (index triples into ring, counter-clockwise)
// that cover a simple polygon ring exactly once, by ear clipping. The viewer
// fills them with an even-odd stencil, so a hole (its own ring) cancels the
// land around it; exact triangles keep that fill to about one pass per
// pixel, where fans from one vertex would cover concave coasts many times.
func triangulate(ring []point) []int {
	idx := make([]int, len(ring))
	for i := range idx {
		idx[i] = i
	}
	if area(ring) < 0 {
		slices.Reverse(idx)
	}
	var out []int
	k, fails := 0, 0
	for len(idx) > 3 {
		n := len(idx)
		if fails >= n {
			// no ear left: touching or collinear points after rounding;
			// drop the flattest corner (a sliver at most) and go on
			k = flattest(ring, idx)
			if a, b, c := corner(idx, k); cross(ring[a], ring[b], ring[c]) > 0 {
				out = append(out, a, b, c)
			}
			idx = slices.Delete(idx, k, k+1)
			fails = 0
			continue
		}
		k %= n
		a, b, c := corner(idx, k)
		if !isEar(ring, idx, a, b, c) {
			k++
			fails++
			continue
		}
		out = append(out, a, b, c)
		idx = slices.Delete(idx, k, k+1)
		k = (k + len(idx) - 1) % len(idx) // the previous corner may be an ear now
		fails = 0
	}
	if len(idx) == 3 && cross(ring[idx[0]], ring[idx[1]], ring[idx[2]]) > 0 {
		out = append(out, idx[0], idx[1], idx[2])
	}
	return out
}

// corner returns the ring indices of the corner at idx[k] and its neighbours.
func corner(idx []int, k int) (a, b, c int) {
	n := len(idx)
	return idx[(k+n-1)%n], idx[k], idx[(k+1)%n]
}

// isEar reports whether triangle a, b, c is convex and holds no other
// vertex of the remaining polygon (on its edges counts as inside).
func isEar(ring []point, idx []int, a, b, c int) bool {
	pa, pb, pc := ring[a], ring[b], ring[c]
	if cross(pa, pb, pc) <= 0 {
		return false
	}
	for _, i := range idx {
		p := ring[i]
		if i == a || i == b || i == c || p == pa || p == pb || p == pc {
			continue
		}
		if cross(pa, pb, p) >= 0 && cross(pb, pc, p) >= 0 && cross(pc, pa, p) >= 0 {
			return false
		}
	}
	return true
}

func flattest(ring []point, idx []int) int {
	best, bestArea := 0, math.Inf(1)
	for k := range idx {
		a, b, c := corner(idx, k)
		if v := math.Abs(cross(ring[a], ring[b], ring[c])); v < bestArea {
			best, bestArea = k, v
		}
	}
	return best
}

// cross is twice the signed area of triangle a, b, c (> 0: counter-clockwise).
func cross(a, b, c point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}
