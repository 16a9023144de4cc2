package samples_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/samples"
)

// collection makes records named category/i.png with the given category sizes.
func collection(sizes map[string]int) []samples.Record {
	var records []samples.Record
	for _, category := range []string{"a", "b", "c", "d"} {
		for i := range sizes[category] {
			records = append(records, samples.Record{
				Filename: fmt.Sprintf("%s/%03d.png", category, i),
				Meta:     pixplot.Metadata{Category: category},
			})
		}
	}
	return records
}

func perCategory(records []samples.Record) map[string]int {
	counts := map[string]int{}
	for _, r := range records {
		counts[r.Meta.Category]++
	}
	return counts
}

func filenames(records []samples.Record) []string {
	var names []string
	for _, r := range records {
		names = append(names, r.Filename)
	}
	return names
}

func TestSelect_SpreadsLimitEvenlyOverCategories(t *testing.T) {
	got := perCategory(samples.Select(collection(map[string]int{"a": 50, "b": 40, "c": 30, "d": 20}), 40, 1))
	want := map[string]int{"a": 10, "b": 10, "c": 10, "d": 10}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("per category = %v, want %v", got, want)
	}
}

func TestSelect_TakesSmallCategoriesWholeAndSharesTheRest(t *testing.T) {
	got := perCategory(samples.Select(collection(map[string]int{"a": 50, "b": 40, "c": 3, "d": 1}), 30, 1))
	// c and d are taken whole (4); 26 left for a and b.
	want := map[string]int{"a": 13, "b": 13, "c": 3, "d": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("per category = %v, want %v", got, want)
	}
}

func TestSelect_GivesTheOddRemainderToTheLargestCategories(t *testing.T) {
	got := perCategory(samples.Select(collection(map[string]int{"a": 20, "b": 30, "c": 25, "d": 20}), 10, 1))
	want := map[string]int{"a": 2, "b": 3, "c": 3, "d": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("per category = %v, want %v", got, want)
	}
}

func TestSelect_SameSeedSameImagesOtherSeedOthers(t *testing.T) {
	records := collection(map[string]int{"a": 50, "b": 40, "c": 30})
	first := filenames(samples.Select(records, 12, 7))
	again := filenames(samples.Select(records, 12, 7))
	other := filenames(samples.Select(records, 12, 8))
	if !slices.Equal(first, again) {
		t.Errorf("seed 7 twice gave\n%v\n%v", first, again)
	}
	if slices.Equal(first, other) {
		t.Errorf("seeds 7 and 8 gave the same images %v", first)
	}
}

func TestSelect_KeepsInputOrder(t *testing.T) {
	records := collection(map[string]int{"a": 50, "b": 40, "c": 30})
	got := filenames(samples.Select(records, 20, 3))
	if !slices.IsSorted(got) { // collection is in filename order
		t.Errorf("selection is not in input order: %v", got)
	}
}

func TestSelect_NoLimitOrLargeLimitKeepsAll(t *testing.T) {
	records := collection(map[string]int{"a": 5, "b": 4})
	for _, limit := range []int{0, -1, 9, 100} {
		if got := samples.Select(records, limit, 1); len(got) != 9 {
			t.Errorf("limit %d kept %d of 9", limit, len(got))
		}
	}
}

func TestSelect_GrowingTheLimitWithinACategoryKeepsEarlierPicks(t *testing.T) {
	// One category: the pick is a prefix of the seeded shuffle, so a larger sample
	// contains the smaller one. Handy for tests that cache samples of several sizes.
	records := collection(map[string]int{"a": 50})
	small := samples.Select(records, 5, 2)
	large := filenames(samples.Select(records, 20, 2))
	for _, r := range small {
		if !slices.Contains(large, r.Filename) {
			t.Errorf("%s is in the 5-image sample but not in the 20-image one", r.Filename)
		}
	}
}
