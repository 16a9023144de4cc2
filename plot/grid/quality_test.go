package grid

import (
	"math"
	"math/rand/v2"
	"slices"
)

// clustered draws n points from 25 Gaussian blobs of random spread in
// [-10, 10]²: clumps and gaps, as in a UMAP layout.
func clustered(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	centres := make([][3]float64, 25)
	for i := range centres {
		centres[i] = [3]float64{rng.Float64()*20 - 10, rng.Float64()*20 - 10, 0.3 + rng.Float64()}
	}
	xy := make([]float64, 0, 2*n)
	for range n {
		c := centres[rng.IntN(len(centres))]
		xy = append(xy, c[0]+c[2]*rng.NormFloat64(), c[1]+c[2]*rng.NormFloat64())
	}
	return xy
}

// nearestInput is, for every point, its k nearest other points in xy,
// found through a bucket grid of about two points per bucket.
func nearestInput(xy []float64, k int) [][]int {
	n := len(xy) / 2
	px, py, _ := splitXY(xy)
	x0, y0 := slices.Min(px), slices.Min(py)
	w, h := slices.Max(px)-x0, slices.Max(py)-y0
	side := math.Sqrt(w*h/float64(n)*2) + 1e-12
	bw, bh := int(w/side)+1, int(h/side)+1
	buckets := make([][]int, bw*bh)
	bucketOf := func(i int) (int, int) { return int((px[i] - x0) / side), int((py[i] - y0) / side) }
	for i := range n {
		bx, by := bucketOf(i)
		buckets[by*bw+bx] = append(buckets[by*bw+bx], i)
	}
	out := make([][]int, n)
	var cand []int
	for i := range n {
		bx, by := bucketOf(i)
		for r := 1; ; r++ {
			cand = cand[:0]
			for y := max(by-r, 0); y <= min(by+r, bh-1); y++ {
				for x := max(bx-r, 0); x <= min(bx+r, bw-1); x++ {
					for _, j := range buckets[y*bw+x] {
						if j != i {
							cand = append(cand, j)
						}
					}
				}
			}
			d := func(j int) float64 { return math.Hypot(px[i]-px[j], py[i]-py[j]) }
			slices.SortFunc(cand, func(a, b int) int {
				if c := cmpFloat(d(a), d(b)); c != 0 {
					return c
				}
				return a - b
			})
			// Points within r buckets of i's are all seen if nearer than
			// (r)·side; beyond, a nearer one might hide in the next ring.
			if len(cand) >= k && d(cand[k-1]) <= float64(r)*side || len(cand) == n-1 {
				out[i] = slices.Clone(cand[:min(k, len(cand))])
				break
			}
		}
	}
	return out
}

// preservation is the mean fraction of each point's k nearest input
// neighbours that are among its k nearest grid neighbours, ties included:
// every point whose cell is no farther than the k-th nearest occupied cell
// counts (12 cells for k = 10 inside the grid).
func preservation(g *Grid, inputNN [][]int, k int) float64 {
	n := len(g.Cells)
	pointAt := make(map[[2]int]int, n)
	for i, c := range g.Cells {
		pointAt[[2]int{c % g.Cols, c / g.Cols}] = i
	}
	total := 0.0
	for i, c := range g.Cells {
		col, row := c%g.Cols, c/g.Cols
		// Grow a square window until it holds k other points; the k-th
		// distance found then bounds the neighbourhood.
		var near []float64
		for r := 1; ; r++ {
			near = near[:0]
			for dr := -r; dr <= r; dr++ {
				for dc := -r; dc <= r; dc++ {
					if _, ok := pointAt[[2]int{col + dc, row + dr}]; ok && (dr != 0 || dc != 0) {
						near = append(near, math.Hypot(float64(dc), float64(dr)))
					}
				}
			}
			if len(near) >= k || len(near) == n-1 {
				slices.Sort(near)
				if len(near) == n-1 || near[k-1] <= float64(r) {
					break
				}
			}
		}
		radius := near[min(k, len(near))-1]
		kept := 0
		for _, j := range inputNN[i] {
			cj := g.Cells[j]
			if math.Hypot(float64(cj%g.Cols-col), float64(cj/g.Cols-row)) <= radius {
				kept++
			}
		}
		total += float64(kept) / float64(len(inputNN[i]))
	}
	return total / float64(n)
}

// totalCost is the assignment's objective in grid units, computed as
// Layout does: points scaled onto the grid, squared distance to the cell
// centre.
func totalCost(xy []float64, g *Grid) float64 {
	px, py, _ := splitXY(xy)
	scaleInto(px, float64(g.Cols))
	scaleInto(py, float64(g.Rows))
	s := 0.0
	for i, c := range g.Cells {
		dx, dy := px[i]-(float64(c%g.Cols)+0.5), py[i]-(float64(c/g.Cols)+0.5)
		s += dx*dx + dy*dy
	}
	return s
}

// randomGrid puts the points in a random permutation of the same cells.
func randomGrid(g *Grid, seed uint64) *Grid {
	rng := rand.New(rand.NewPCG(seed, 5))
	r := &Grid{Cols: g.Cols, Rows: g.Rows, Cells: slices.Clone(g.Cells)}
	rng.Shuffle(len(r.Cells), func(i, j int) { r.Cells[i], r.Cells[j] = r.Cells[j], r.Cells[i] })
	return r
}
