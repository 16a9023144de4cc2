package umap

import (
	"math"
	"testing"
)

func TestPowTable_MatchesMathPow(t *testing.T) {
	for _, b := range []float64{0.79, 0.8950608779914887, 1.33} {
		table := newPowTable(b)
		for x := float32(1e-20); x < 1e20; x *= 1.0137 {
			want := math.Pow(float64(x), b)
			if got := table.pow(x); math.Abs(got-want) > 2e-7*want {
				t.Fatalf("b = %g: pow(%g) = %g, math.Pow %g", b, x, got, want)
			}
		}
	}
}
