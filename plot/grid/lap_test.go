package grid

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForceMin is the least total cost over all n! permutations.
func bruteForceMin(n int, costs []float64) float64 {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := math.Inf(1)
	var walk func(k int, total float64)
	walk = func(k int, total float64) {
		if total >= best {
			return
		}
		if k == n {
			best = total
			return
		}
		for i := k; i < n; i++ {
			perm[k], perm[i] = perm[i], perm[k]
			walk(k+1, total+costs[k*n+perm[k]])
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	walk(0, 0)
	return best
}

func assignmentCost(t *testing.T, n int, costs []float64, colOf []int) float64 {
	t.Helper()
	used := make([]bool, n)
	total := 0.0
	for i, j := range colOf {
		if j < 0 || j >= n || used[j] {
			t.Fatalf("row %d got column %d (used twice or out of range)", i, j)
		}
		used[j] = true
		total += costs[i*n+j]
	}
	return total
}

func TestAssign_IsOptimalAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 3000 {
		n := 1 + trial%8
		costs := make([]float64, n*n)
		for i := range costs {
			switch trial % 3 {
			case 0: // continuous
				costs[i] = rng.Float64() * 100
			case 1: // few distinct values: many ties
				costs[i] = float64(rng.IntN(4))
			default: // geometric: squared distances to lattice cells
				costs[i] = 0
			}
		}
		if trial%3 == 2 {
			px, py := make([]float64, n), make([]float64, n)
			for i := range n {
				px[i], py[i] = rng.Float64()*3, rng.Float64()*3
			}
			for i := range n {
				for j := range n {
					dx, dy := px[i]-float64(j%3)-0.5, py[i]-float64(j/3)-0.5
					costs[i*n+j] = dx*dx + dy*dy
				}
			}
		}
		colOf, err := Assign(n, costs)
		if err != nil {
			t.Fatal(err)
		}
		got, want := assignmentCost(t, n, costs, colOf), bruteForceMin(n, costs)
		if math.Abs(got-want) > 1e-9*(1+want) {
			t.Fatalf("trial %d (n=%d): cost %v, brute force %v", trial, n, got, want)
		}
	}
}

// hungarian is an independent O(n³) solver (Kuhn–Munkres with potentials,
// one row at a time) used as the oracle above brute-force sizes.
func hungarian(n int, costs []float64) float64 {
	inf := math.Inf(1)
	u, v := make([]float64, n+1), make([]float64, n+1)
	p, way := make([]int, n+1), make([]int, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = inf
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], inf, 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := costs[(i0-1)*n+j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	total := 0.0
	for j := 1; j <= n; j++ {
		total += costs[(p[j]-1)*n+j-1]
	}
	return total
}

func TestAssign_MatchesHungarianOnLargerInstances(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{20, 50, 100, 200} {
		for kind := range 3 {
			costs := make([]float64, n*n)
			for i := range costs {
				switch kind {
				case 0:
					costs[i] = rng.Float64()
				case 1:
					costs[i] = float64(rng.IntN(10))
				case 2:
					costs[i] = float64(rng.IntN(1000)) * rng.Float64()
				}
			}
			colOf, err := Assign(n, costs)
			if err != nil {
				t.Fatal(err)
			}
			got, want := assignmentCost(t, n, costs, colOf), hungarian(n, costs)
			if math.Abs(got-want) > 1e-9*(1+want) {
				t.Errorf("n=%d kind %d: cost %v, Hungarian %v", n, kind, got, want)
			}
		}
	}
}

func TestAssign_RejectsBadCosts(t *testing.T) {
	if _, err := Assign(2, []float64{1, 2, 3}); err == nil {
		t.Error("3 costs for 2×2 gave no error")
	}
	if _, err := Assign(2, []float64{1, 2, math.NaN(), 4}); err == nil || err.Error() != "grid: cost of row 1, column 0 is NaN" {
		t.Errorf("NaN cost gave %v", err)
	}
	if colOf, err := Assign(0, nil); err != nil || len(colOf) != 0 {
		t.Errorf("empty problem gave %v, %v", colOf, err)
	}
}
