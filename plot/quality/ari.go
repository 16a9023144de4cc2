package quality

import "fmt"

// AdjustedRandIndex compares two labellings of the same points (Hubert &
// Arabie 1985): 1 for identical partitions up to renaming, about 0 for
// independent ones. Every distinct label is one class, so HDBSCAN's noise
// (-1) is one more class. Two partitions that are both a single class (or
// all singletons) score 1, as does a labelling of fewer than two points.
func AdjustedRandIndex(a, b []int) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("quality: labellings of %d and %d points", len(a), len(b))
	}
	if len(a) < 2 {
		return 1, nil
	}
	type pair struct{ a, b int }
	joint := map[pair]int{}
	rows, cols := map[int]int{}, map[int]int{}
	for i := range a {
		joint[pair{a[i], b[i]}]++
		rows[a[i]]++
		cols[b[i]]++
	}
	pairs := func(k int) float64 { return float64(k) * float64(k-1) / 2 }
	index, sumRows, sumCols := 0.0, 0.0, 0.0
	for _, k := range joint {
		index += pairs(k)
	}
	for _, k := range rows {
		sumRows += pairs(k)
	}
	for _, k := range cols {
		sumCols += pairs(k)
	}
	expected := sumRows * sumCols / pairs(len(a))
	maximum := (sumRows + sumCols) / 2
	if maximum == expected {
		return 1, nil
	}
	return (index - expected) / (maximum - expected), nil
}
