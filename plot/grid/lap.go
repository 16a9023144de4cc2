package grid

import (
	"fmt"
	"math"
)

// Assign solves the linear assignment problem exactly: given n×n costs
// (row-major), it returns the column of each row such that every column is
// used once and the total cost is least. It is the Jonker–Volgenant
// algorithm (shortest augmenting paths with dual potentials after column
// reduction and augmenting row reduction): O(n³) at worst, far less on
// geometric costs.
func Assign(n int, costs []float64) ([]int, error) {
	if n < 0 || len(costs) != n*n {
		return nil, fmt.Errorf("grid: %d costs for a %d×%d assignment", len(costs), n, n)
	}
	for i, c := range costs {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return nil, fmt.Errorf("grid: cost of row %d, column %d is %v", i/max(n, 1), i%max(n, 1), c)
		}
	}
	colOf := solveLAP(n, costs)
	out := make([]int, n)
	for i, j := range colOf {
		out[i] = int(j)
	}
	return out, nil
}

// lapSolver holds the state of one Jonker–Volgenant run.
type lapSolver struct {
	n     int
	costs []float64 // row-major n×n
	colOf []int32   // column of each row, -1 if free
	rowOf []int32   // row of each column, -1 if free
	v     []float64 // column potentials
}

func (s *lapSolver) row(i int32) []float64 { return s.costs[int(i)*s.n : int(i+1)*s.n] }

// solveLAP returns the column of each row in a least-cost assignment of
// the n×n row-major costs.
func solveLAP(n int, costs []float64) []int32 {
	s := &lapSolver{
		n: n, costs: costs,
		colOf: make([]int32, n), rowOf: make([]int32, n),
		v: make([]float64, n),
	}
	if n == 0 {
		return s.colOf
	}
	free := s.reduceColumns()
	for range 2 {
		free = s.reduceRows(free)
	}
	aug := newAugmenter(n)
	for _, f := range free {
		s.augment(f, aug)
	}
	return s.colOf
}

// reduceColumns sets each column's potential to its least cost and gives
// the column to that row if the row has no column yet; then each row that
// got exactly one column transfers its slack to that column's potential.
// It returns the rows left free.
func (s *lapSolver) reduceColumns() []int32 {
	n := s.n
	argMin := make([]int32, n)
	for j := range n {
		s.v[j] = math.Inf(1)
		s.rowOf[j], s.colOf[j] = -1, -1
	}
	for i := range n {
		for j, cost := range s.row(int32(i)) {
			if cost < s.v[j] {
				s.v[j], argMin[j] = cost, int32(i)
			}
		}
	}
	matches := make([]int32, n)
	for j := n - 1; j >= 0; j-- {
		i := argMin[j]
		matches[i]++
		if matches[i] == 1 {
			s.colOf[i], s.rowOf[j] = int32(j), i
		} else if s.v[j] < s.v[s.colOf[i]] {
			// The row prefers this column: release its earlier one.
			s.rowOf[s.colOf[i]] = -1
			s.colOf[i], s.rowOf[j] = int32(j), i
		}
	}
	var free []int32
	for i := range n {
		switch matches[i] {
		case 0:
			free = append(free, int32(i))
		case 1:
			j1 := s.colOf[i]
			slack := math.Inf(1)
			for j, cost := range s.row(int32(i)) {
				if int32(j) != j1 {
					slack = min(slack, cost-s.v[j])
				}
			}
			if !math.IsInf(slack, 1) {
				s.v[j1] -= slack
			}
		}
	}
	return free
}

// reduceRows is one pass of augmenting row reduction: each free row takes
// the column of least reduced cost, lowering that column's potential to its
// second least so the displaced row can move on cheaply. It returns the
// rows still free.
func (s *lapSolver) reduceRows(free []int32) []int32 {
	var next []int32
	// Each pass is bounded: with floating-point potentials a displaced row
	// could otherwise bounce for many tiny decreases.
	budget := 4*s.n + 16
	for k := 0; k < len(free); {
		i := free[k]
		k++
		u1, u2 := math.Inf(1), math.Inf(1)
		j1, j2 := int32(-1), int32(-1)
		for j, cost := range s.row(i) {
			h := cost - s.v[j]
			if h < u2 {
				if h >= u1 {
					u2, j2 = h, int32(j)
				} else {
					u2, j2 = u1, j1
					u1, j1 = h, int32(j)
				}
			}
		}
		i0 := s.rowOf[j1]
		if u1 < u2 && !math.IsInf(u2, 1) {
			s.v[j1] -= u2 - u1
		} else if i0 >= 0 && j2 >= 0 {
			// A tie: take the second column instead, which may be free.
			j1, i0 = j2, s.rowOf[j2]
		}
		if i0 >= 0 {
			s.colOf[i0] = -1
		}
		s.colOf[i], s.rowOf[j1] = j1, i
		if i0 < 0 {
			continue
		}
		budget--
		if u1 < u2 && budget > 0 {
			k--
			free[k] = i0 // reprocess the displaced row at once
		} else {
			next = append(next, i0)
		}
	}
	return next
}

// augmenter holds the scratch arrays of the shortest-path search.
type augmenter struct {
	dist []float64 // shortest reduced path cost from the free row to each column
	pred []int32   // row before each column on its shortest path
	cols []int32   // columns: [0, ready) final, [ready, todo) at the current minimum, rest unscanned
}

func newAugmenter(n int) *augmenter {
	return &augmenter{dist: make([]float64, n), pred: make([]int32, n), cols: make([]int32, n)}
}

// augment finds a shortest augmenting path (Dijkstra on reduced costs) from
// free row f to a free column, updates the potentials of the columns it
// settled, and flips the assignment along the path.
func (s *lapSolver) augment(f int32, a *augmenter) {
	n := s.n
	for j, cost := range s.row(f) {
		a.dist[j] = cost - s.v[j]
		a.pred[j] = f
		a.cols[j] = int32(j)
	}
	ready, todo := 0, 0 // cols[:ready] settled; cols[ready:todo] at distance low
	last := 0           // settled columns whose potentials must be updated
	low := 0.0
	end := int32(-1)
	for end < 0 {
		if ready == todo {
			// Collect the unscanned columns at the least distance.
			last = ready
			low = a.dist[a.cols[todo]]
			todo++
			for k := todo; k < n; k++ {
				j := a.cols[k]
				h := a.dist[j]
				if h <= low {
					if h < low {
						todo = ready
						low = h
					}
					a.cols[k], a.cols[todo] = a.cols[todo], j
					todo++
				}
			}
			for k := ready; k < todo; k++ {
				if s.rowOf[a.cols[k]] < 0 {
					end = a.cols[k]
					break
				}
			}
			if end >= 0 {
				break
			}
		}
		// Scan the row assigned to the next column at the minimum.
		j1 := a.cols[ready]
		ready++
		i := s.rowOf[j1]
		costs := s.row(i)
		u1 := costs[j1] - s.v[j1] - low
		for k := todo; k < n; k++ {
			j := a.cols[k]
			h := costs[j] - s.v[j] - u1
			if h < a.dist[j] {
				a.dist[j] = h
				a.pred[j] = i
				if h == low {
					if s.rowOf[j] < 0 {
						end = j
						break
					}
					a.cols[k], a.cols[todo] = a.cols[todo], j
					todo++
				}
			}
		}
	}
	for k := range last {
		j := a.cols[k]
		s.v[j] += a.dist[j] - low
	}
	for {
		i := a.pred[end]
		s.rowOf[end] = i
		prev := s.colOf[i]
		s.colOf[i] = end
		if i == f {
			return
		}
		end = prev
	}
}
