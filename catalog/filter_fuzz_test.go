package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// FuzzFilter feeds arbitrary text to the filter compiler and runs what
// compiles against a real catalog file: nothing panics, the canonical form is
// a fixed point that compiles, every failure is a *FilterError, the file never
// changes, and the connection pool stays usable.
func FuzzFilter(f *testing.F) {
	for _, where := range []string{"", "year < 1900", "category = 'portrait' AND year BETWEEN 1900 AND 1920",
		"has_tag('bees')", "photographer LIKE 'A%' OR extra_year > '2010'", `"odd ""name""" = 'odd1'`,
		"id IN (SELECT image_id FROM image_tags)", "lower(filename) GLOB '*.jpg'", "x'00ff' IS NOT NULL",
		"0x1F + 1_000 + .5e3 > 0", "tags ->> '$[0]' = 'bees'", "CASE WHEN year > 1900 THEN 1 ELSE 0 END"} {
		f.Add(where)
	}
	c := openFilterFixture(f)
	digest := fileDigest(f, c)
	f.Fuzz(func(t *testing.T, where string) {
		filter := Filter{Where: where}
		canonical := filter.String()
		checkErr := filter.Check()
		if checkErr == nil {
			again := Filter{Where: canonical}
			if got := again.String(); got != canonical {
				t.Fatalf("String is not a fixed point: %q -> %q -> %q", where, canonical, got)
			}
			if err := again.Check(); err != nil {
				t.Fatalf("canonical form %q of %q does not compile: %v", canonical, where, err)
			}
		}
		run, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		ids, err := c.Select(run, filter)
		var fe *FilterError
		switch {
		case err == nil:
			if checkErr != nil {
				t.Fatalf("Select ran %q, which Check refused: %v", where, checkErr)
			}
			if !slices.IsSorted(ids) || ids[0] < 1 || ids[len(ids)-1] > filterFixtureSize {
				t.Fatalf("%q selected %v", where, ids)
			}
		case !errors.As(err, &fe):
			t.Fatalf("%q: %T %v; want a *FilterError", where, err, err)
		}
		if fileDigest(t, c) != digest {
			t.Fatalf("%q changed the file", where)
		}
		if _, err := c.Columns(ctx); err != nil {
			t.Fatalf("after %q: %v", where, err)
		}
	})
}
