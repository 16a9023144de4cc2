package plotjob

import (
	"strings"
	"testing"
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
