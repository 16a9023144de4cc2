package rng

import "testing"

func TestHash_IsAFunctionOfItsInputs(t *testing.T) {
	if Hash(1, 2, 3) != Hash(1, 2, 3) {
		t.Fatal("equal inputs, different hashes")
	}
	seen := map[uint64]bool{}
	for a := range uint64(20) {
		for b := range uint64(20) {
			for c := range uint64(20) {
				seen[Hash(a, b, c)] = true
			}
		}
	}
	if len(seen) != 8000 {
		t.Fatalf("%d distinct hashes of 8000 inputs", len(seen))
	}
}

func TestFast_BelowStaysInRangeAndCoversIt(t *testing.T) {
	f := NewFast(Hash(7, 0, 0))
	counts := make([]int, 10)
	for range 100000 {
		v := f.Below(10)
		if v >= 10 {
			t.Fatalf("Below(10) = %d", v)
		}
		counts[v]++
	}
	for v, c := range counts {
		if c < 9000 || c > 11000 {
			t.Errorf("value %d drawn %d times of 100000", v, c)
		}
	}
}

func TestUnit_IsInTheUnitInterval(t *testing.T) {
	for _, h := range []uint64{0, 1, 1 << 63, ^uint64(0)} {
		if u := Unit(h); u < 0 || u >= 1 {
			t.Errorf("Unit(%#x) = %g", h, u)
		}
	}
}
