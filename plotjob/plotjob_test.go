package plotjob

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/plot"
)

func TestDefaultPlotName_IsMadeOfTheFiltersWords(t *testing.T) {
	cases := map[string]string{
		"":                          "all",
		"year < 1900":               "year-1900",
		"category IN ('Maps & Co')": "category-in-maps-co",
		strings.Repeat("word ", 30): strings.TrimSuffix(strings.Repeat("word-", 13), "-"),
	}
	for filter, want := range cases {
		got := DefaultName(filter)
		if got != want || CheckName(got) != nil {
			t.Errorf("DefaultName(%q) = %q, want %q", filter, got, want)
		}
	}
}

func TestParams_KeepOneUMAPValueABareNumberAndListSeveral(t *testing.T) {
	opts := plot.DefaultOptions()
	b, err := json.Marshal(paramsOf(opts, []int64{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	// As plots were stored before lists: their fingerprints stay valid.
	if !strings.Contains(string(b), `"n_neighbors":15,"min_distance":0.01,`) {
		t.Fatalf("one value each: %s", b)
	}
	opts.NNeighbors, opts.MinDist = []int{5, 10}, []float64{0.1}
	b, _ = json.Marshal(paramsOf(opts, []int64{1, 2}))
	if !strings.Contains(string(b), `"n_neighbors":[5,10],"min_distance":0.1,`) {
		t.Fatalf("several values: %s", b)
	}
	var back params
	if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back.NNeighbors, Values[int]{5, 10}) || back.MinDist[0] != 0.1 {
		t.Fatalf("read back %+v, %v", back, err)
	}
}

func TestParseValues_TakesANumberOrANonEmptyArrayOfThem(t *testing.T) {
	if v, err := ParseValues[int]([]byte(`15`)); err != nil || !slices.Equal(v, []int{15}) {
		t.Fatalf("15: %v, %v", v, err)
	}
	if v, err := ParseValues[float64]([]byte(` [0.1, 0.5] `)); err != nil || !slices.Equal(v, []float64{0.1, 0.5}) {
		t.Fatalf("[0.1, 0.5]: %v, %v", v, err)
	}
	for _, bad := range []string{`"5"`, `[]`, `null`, `5.5`, `[5, "x"]`, `{}`} {
		if v, err := ParseValues[int]([]byte(bad)); err == nil || !strings.Contains(err.Error(), "want a whole number or a non-empty array") {
			t.Errorf("%s: %v, %v (want an error)", bad, v, err)
		}
	}
}
