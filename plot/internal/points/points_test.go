package points

import (
	"math"
	"strings"
	"testing"
)

func TestCheck_NamesTheBadPoint(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))
	for xy, want := range map[*[]float32]string{
		{1, 2, 3}:      "3 coordinates do not make (x, y) pairs",
		{0, 0, 1, nan}: "image 1: y is NaN",
		{inf, 0}:       "image 0: x is -Inf",
	} {
		if err := Check(*xy); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%v) = %v, want %q", *xy, err, want)
		}
	}
	if err := Check([]float32{0, 1, -1, 0.5}); err != nil {
		t.Errorf("Check(good points) = %v", err)
	}
}
