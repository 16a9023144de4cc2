package parallel

import (
	"sync/atomic"
	"testing"
)

func TestRange_CallsEveryIndexExactlyOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 16} {
		for _, n := range []int{0, 1, 7, 1000} {
			counts := make([]atomic.Int32, n)
			Range(n, 3, workers, func(lo, hi int) {
				if hi-lo > 3 || lo >= hi {
					t.Errorf("piece [%d, %d) with grain 3", lo, hi)
				}
				for i := lo; i < hi; i++ {
					counts[i].Add(1)
				}
			})
			for i := range counts {
				if c := counts[i].Load(); c != 1 {
					t.Fatalf("workers %d, n %d: index %d called %d times", workers, n, i, c)
				}
			}
		}
	}
}

func TestWorkers_DefaultsToGOMAXPROCS(t *testing.T) {
	if Workers(0) < 1 || Workers(-2) < 1 || Workers(5) != 5 {
		t.Fatalf("Workers(0) = %d, Workers(-2) = %d, Workers(5) = %d", Workers(0), Workers(-2), Workers(5))
	}
}
