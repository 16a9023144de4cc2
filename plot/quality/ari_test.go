package quality

import (
	"math"
	"testing"
)

func TestAdjustedRandIndex_MatchesKnownValues(t *testing.T) {
	cases := []struct {
		a, b []int
		want float64
	}{
		{[]int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		{[]int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 0.5714285714285715}, // scikit-learn's doc example
		{[]int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{[]int{0, 0, 0, 0}, []int{0, 0, 0, 0}, 1},
		{[]int{5}, []int{-1}, 1},
		{[]int{-1, -1, 2, 2, 2}, []int{-1, -1, 2, 2, 3}, 0.5454545454545454},
	}
	for _, c := range cases {
		got, err := AdjustedRandIndex(c.a, c.b)
		if err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("ARI(%v, %v) = %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := AdjustedRandIndex([]int{1}, []int{1, 2}); err == nil {
		t.Error("labellings of different lengths gave no error")
	}
}
