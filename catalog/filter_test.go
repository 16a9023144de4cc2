package catalog

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pixplot/pixplot"
)

// filterFixtureSize is the number of images in the filter fixture.
const filterFixtureSize = 30

// fixtureImage is image i of the filter fixture: years 1880, 1882, … 1938;
// categories portrait, map, letter in turn; tag bees on every 4th image,
// flowers on every 5th; extra columns photographer (Ann or Bob), year (which
// the view names extra_year), `odd "name"` and release (1950 + i).
func fixtureImage(i int) pixplot.Image {
	img := testImage(i)
	year := 1880 + 2*i
	img.Meta = pixplot.Metadata{
		Category: []string{"portrait", "map", "letter"}[i%3],
		Year:     &year,
		Extra: map[string]string{
			"photographer": []string{"Ann", "Bob"}[i%2],
			"year":         fmt.Sprint(2000 + i),
			`odd "name"`:   fmt.Sprint("odd", i%3),
			"release":      fmt.Sprint(1950 + i),
		},
	}
	if i%4 == 0 {
		img.Meta.Tags = append(img.Meta.Tags, "bees")
	}
	if i%5 == 0 {
		img.Meta.Tags = append(img.Meta.Tags, "flowers")
	}
	return img
}

// openFilterFixture is a catalog file holding the filter fixture.
func openFilterFixture(t testing.TB) *Catalog {
	t.Helper()
	c := openTemp(t)
	m := testModel(t, c, 1, 8)
	r := newRand(3)
	var recs []ImageRecord
	for i := range filterFixtureSize {
		recs = append(recs, ImageRecord{Image: fixtureImage(i), Thumbs: testThumbs(), Vector: randomUnit(r, 8)})
	}
	putAll(t, c, m.ID, recs)
	return c
}

// fixtureIDs are the ids of the fixture images for which keep(i) holds (ids
// are assigned 1, 2, … in order).
func fixtureIDs(keep func(i int) bool) []int64 {
	var ids []int64
	for i := range filterFixtureSize {
		if keep(i) {
			ids = append(ids, int64(i+1))
		}
	}
	return ids
}

func yearOf(i int) int { return 1880 + 2*i }

func selectIDs(t *testing.T, c *Catalog, f Filter) []int64 {
	t.Helper()
	ids, err := c.Select(ctx, f)
	if err != nil {
		t.Fatalf("Select(%+v): %v", f, err)
	}
	return ids
}

func TestSelect_TheIssueExamples(t *testing.T) {
	c := openFilterFixture(t)
	got := selectIDs(t, c, Filter{Where: "year < 1900"})
	if want := fixtureIDs(func(i int) bool { return yearOf(i) < 1900 }); !slices.Equal(got, want) {
		t.Errorf("year < 1900: %v; want %v", got, want)
	}
	got = selectIDs(t, c, Filter{Where: "category = 'portrait' AND year BETWEEN 1900 AND 1920"})
	want := fixtureIDs(func(i int) bool { return i%3 == 0 && yearOf(i) >= 1900 && yearOf(i) <= 1920 })
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("portraits 1900-1920: %v; want %v", got, want)
	}
}

func TestSelect_NoFilterSelectsEveryImageInIDOrder(t *testing.T) {
	c := openFilterFixture(t)
	if got, want := selectIDs(t, c, Filter{}), fixtureIDs(func(int) bool { return true }); !slices.Equal(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestSelect_HasTag(t *testing.T) {
	c := openFilterFixture(t)
	bees := fixtureIDs(func(i int) bool { return i%4 == 0 })
	for _, where := range []string{"has_tag('bees')", "HAS_TAG( 'bees' )", "has_tag(tags, 'bees')",
		"EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'bees')"} {
		if got := selectIDs(t, c, Filter{Where: where}); !slices.Equal(got, bees) {
			t.Errorf("%s: %v; want %v", where, got, bees)
		}
	}
	got := selectIDs(t, c, Filter{Where: "has_tag('bees') AND NOT has_tag('flowers') AND year >= 1890"})
	want := fixtureIDs(func(i int) bool { return i%4 == 0 && i%5 != 0 && yearOf(i) >= 1890 })
	if !slices.Equal(got, want) {
		t.Errorf("bees, not flowers, from 1890: %v; want %v", got, want)
	}
	// Inside a subquery over the catalog, has_tag tests that subquery's image.
	got = selectIDs(t, c, Filter{Where: "(SELECT count(*) FROM catalog WHERE has_tag('flowers')) = 6 AND id = 1"})
	if !slices.Equal(got, []int64{1}) {
		t.Errorf("count of flowers in a subquery: %v", got)
	}
}

func TestSelect_SugarIsOrWithinAKindAndAcrossKinds(t *testing.T) {
	c := openFilterFixture(t)
	cases := []struct {
		f    Filter
		keep func(i int) bool
	}{
		{Filter{Tags: []string{"bees"}}, func(i int) bool { return i%4 == 0 }},
		{Filter{Tags: []string{"bees", "flowers"}}, func(i int) bool { return i%4 == 0 || i%5 == 0 }},
		{Filter{Categories: []string{"map", "letter"}}, func(i int) bool { return i%3 != 0 }},
		{Filter{Tags: []string{"bees", "flowers"}, Categories: []string{"portrait"}},
			func(i int) bool { return (i%4 == 0 || i%5 == 0) && i%3 == 0 }},
		{Filter{Where: "year >= 1900", Tags: []string{"flowers"}, Categories: []string{"portrait", "map"}},
			func(i int) bool { return yearOf(i) >= 1900 && i%5 == 0 && i%3 != 2 }},
		{Filter{Tags: []string{" bees ", "bees", ""}}, func(i int) bool { return i%4 == 0 }},
	}
	for _, tc := range cases {
		got := selectIDs(t, c, tc.f)
		if want := fixtureIDs(tc.keep); !slices.Equal(got, want) {
			t.Errorf("%+v: %v; want %v", tc.f, got, want)
		}
		// The canonical form, used as a --where, selects the same images.
		if again := selectIDs(t, c, Filter{Where: tc.f.String()}); !slices.Equal(again, got) {
			t.Errorf("%+v as %q: %v; want %v", tc.f, tc.f.String(), again, got)
		}
	}
}

// Pure functions, aggregates and window functions work in subqueries.
func TestSelect_AllowsPureFunctionsAndSubqueries(t *testing.T) {
	c := openFilterFixture(t)
	cases := map[string][]int64{
		"id IN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY year DESC) AS r FROM catalog) WHERE r <= 2)": {29, 30},
		"year = (SELECT max(year) FROM catalog WHERE category = 'map')":                                             {29},
		"upper(substr(filename, 1, 3)) = 'IMG' AND round(sqrt(id)) = 5 AND julianday('2000-01-01') > 0":             {21, 22, 23, 24, 25, 26, 27, 28, 29, 30},
		"json_array_length(tags) = 2 AND tags ->> '$[0]' = 'bees'":                                                  fixtureIDs(func(i int) bool { return i%4 == 0 && i%5 == 0 }),
		"id IN (WITH old AS (SELECT id FROM images WHERE year < 1884) SELECT id FROM old)":                          {1, 2},
	}
	for where, want := range cases {
		if got := selectIDs(t, c, Filter{Where: where}); !slices.Equal(got, want) {
			t.Errorf("%s: %v; want %v", where, got, want)
		}
	}
}

func TestSelect_ExtraColumnsAreColumnsOfTheView(t *testing.T) {
	c := openFilterFixture(t)
	got := selectIDs(t, c, Filter{Where: "photographer = 'Ann' AND extra_year >= '2020'"})
	if want := fixtureIDs(func(i int) bool { return i%2 == 0 && 2000+i >= 2020 }); !slices.Equal(got, want) {
		t.Errorf("photographer and extra_year: %v; want %v", got, want)
	}
	got = selectIDs(t, c, Filter{Where: `"odd ""name""" = 'odd1'`})
	if want := fixtureIDs(func(i int) bool { return i%3 == 1 }); !slices.Equal(got, want) {
		t.Errorf(`odd "name": %v; want %v`, got, want)
	}
}

// Words that start statements elsewhere (RELEASE, BEGIN, …) still serve as
// column names where a statement could not go on.
func TestSelect_StatementWordsServeAsColumnNames(t *testing.T) {
	c := openFilterFixture(t)
	want := fixtureIDs(func(i int) bool { return i < 10 })
	for _, where := range []string{"release < '1960'", `"release" < '1960'`, "release BETWEEN '1950' AND '1959'",
		"NOT release IS NULL AND release < '1960'"} {
		if got := selectIDs(t, c, Filter{Where: where}); !slices.Equal(got, want) {
			t.Errorf("%s: %v; want %v", where, got, want)
		}
	}
}

func TestSelect_NoMatchIsAClearError(t *testing.T) {
	c := openFilterFixture(t)
	_, err := c.Select(ctx, Filter{Where: "year < 1800"})
	var fe *FilterError
	if !errors.As(err, &fe) || !errors.Is(err, ErrNoMatches) || !strings.Contains(err.Error(), "year < 1800") {
		t.Fatalf("err = %v; want a FilterError wrapping ErrNoMatches naming the filter", err)
	}
	empty := openTemp(t)
	if _, err := empty.Select(ctx, Filter{}); !errors.Is(err, ErrNoMatches) {
		t.Errorf("empty catalog: %v", err)
	}
}

func TestSelect_UnknownColumnIsNamed(t *testing.T) {
	c := openFilterFixture(t)
	_, err := c.Select(ctx, Filter{Where: "yeer < 1900"})
	var fe *FilterError
	if !errors.As(err, &fe) || fe.Token != "yeer" || fe.Offset != 0 || err.Error() != "no such column: yeer" {
		t.Fatalf("err = %#v", err)
	}
}

func TestSelect_SugarValuesAreBoundNotSpliced(t *testing.T) {
	c := openFilterFixture(t)
	before := fileDigest(t, c)
	for _, v := range []string{"'); DROP TABLE images; --", `") OR 1=1 --`, "x' OR '1'='1"} {
		_, err := c.Select(ctx, Filter{Tags: []string{v}, Categories: []string{v}})
		if !errors.Is(err, ErrNoMatches) {
			t.Errorf("%q: %v; want no matches", v, err)
		}
	}
	if after := fileDigest(t, c); after != before {
		t.Error("the file changed")
	}
}

// fileDigest hashes the catalog file and its WAL.
func fileDigest(t testing.TB, c *Catalog) string {
	t.Helper()
	h := sha256.New()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(c.Path() + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s:%d:", suffix, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hostileFilter is one entry of testdata/hostile_filters.jsonl: a filter that
// must be refused, and the token (table, function, column or lexeme) the
// error must name; "" where no token applies (limits).
type hostileFilter struct {
	Name  string `json:"name"`
	Where string `json:"where"`
	Token string `json:"token"`
}

func loadHostileFilters(t testing.TB) []hostileFilter {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "hostile_filters.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hostileFilter
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var h hostileFilter
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("hostile_filters.jsonl line %d: %v", line, err)
		}
		out = append(out, h)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every hostile filter is refused with a FilterError naming its token, and
// leaves the file byte-identical.
func TestSelect_RefusesTheHostileCorpus(t *testing.T) {
	c := openFilterFixture(t)
	corpus := loadHostileFilters(t)
	if len(corpus) < 30 {
		t.Fatalf("the corpus has %d filters; want at least 30", len(corpus))
	}
	for _, h := range corpus {
		t.Run(h.Name, func(t *testing.T) {
			before := fileDigest(t, c)
			start := time.Now()
			ids, err := c.Select(ctx, Filter{Where: h.Where})
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v", took)
			}
			var fe *FilterError
			if !errors.As(err, &fe) {
				t.Fatalf("got ids %v, err %v; want a *FilterError", ids, err)
			}
			if errors.Is(err, ErrNoMatches) {
				t.Fatalf("refused only for matching nothing: %v", err)
			}
			if !strings.EqualFold(fe.Token, h.Token) {
				t.Errorf("token %q; want %q (%v)", fe.Token, h.Token, err)
			}
			msg := strings.ToLower(fe.Msg)
			if !strings.Contains(msg, strings.ToLower(short(h.Token))) && !strings.Contains(msg, strings.ToLower(fmt.Sprintf("%q", h.Token))) {
				t.Errorf("message %q does not name %q", fe.Msg, h.Token)
			}
			if after := fileDigest(t, c); after != before {
				t.Error("the file changed")
			}
		})
	}
	// The connections went back to the pool unguarded.
	if _, err := c.Info(ctx); err != nil {
		t.Errorf("after the corpus: %v", err)
	}
}

// A filter that would run for minutes is stopped at its deadline.
func TestSelect_StopsASlowFilterAtTheDeadline(t *testing.T) {
	c := openFilterFixture(t)
	before := fileDigest(t, c)
	slow := "(SELECT count(*) FROM images a, images b, images c, images d, images e, images f) > 0"
	deadline, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Select(deadline, Filter{Where: slow})
	took := time.Since(start)
	t.Logf("stopped after %v", took)
	if !errors.Is(err, context.DeadlineExceeded) || took > time.Second {
		t.Fatalf("err %v after %v; want DeadlineExceeded within 1 s", err, took)
	}
	var fe *FilterError
	if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "too long") {
		t.Errorf("err = %#v", err)
	}
	if fileDigest(t, c) != before {
		t.Error("the file changed")
	}
	// A caller that gives up gets its own error back.
	cancelled, stop := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, stop)
	if _, err := c.Select(cancelled, Filter{Where: slow}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// Guarded filter runs and ordinary reads share the pool without stepping on
// each other: the authorizer never outlives its filter.
func TestSelect_ConcurrentWithOtherReads(t *testing.T) {
	c := openFilterFixture(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Go(func() {
			for range 20 {
				if g%2 == 0 {
					if _, err := c.Select(ctx, Filter{Where: "(SELECT count(*) FROM plots) = 0"}); err == nil {
						errs <- errors.New("plots read allowed")
					}
				} else if _, err := c.Info(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSelect_WorksOnAReadOnlyCatalog(t *testing.T) {
	c := openFilterFixture(t)
	path := c.Path()
	c.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := selectIDs(t, ro, Filter{Where: "has_tag('bees')", Categories: []string{"portrait"}}); len(got) == 0 {
		t.Error("nothing selected")
	}
}

func TestFilterString_IsCanonical(t *testing.T) {
	cases := []struct {
		f    Filter
		want string
	}{
		{Filter{}, ""},
		{Filter{Where: "  year<1900 "}, "year < 1900"},
		{Filter{Where: "category='map'  and\n\tyear between 1900 and 1920"}, "category = 'map' AND year BETWEEN 1900 AND 1920"},
		{Filter{Where: "lower( c.filename )like 'a%'"}, "lower(c.filename) LIKE 'a%'"},
		{Filter{Tags: []string{"b", "a", "b"}}, "has_tag('a') OR has_tag('b')"},
		{Filter{Where: "year > 1", Tags: []string{"it's"}, Categories: []string{"x", "m"}},
			"(year > 1) AND (has_tag('it''s')) AND (category IN ('m', 'x'))"},
		{Filter{Where: "Photographer IN ('Ann','Bob')"}, "Photographer IN ('Ann', 'Bob')"},
	}
	for _, tc := range cases {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%+v: %q; want %q", tc.f, got, tc.want)
		}
		if again := (Filter{Where: tc.want}).String(); again != tc.want {
			t.Errorf("%q is not a fixed point: %q", tc.want, again)
		}
	}
}

func TestFilterCheck_WithoutACatalog(t *testing.T) {
	if err := (Filter{Where: "year < 1900 AND has_tag('x')"}).Check(); err != nil {
		t.Error(err)
	}
	var fe *FilterError
	if err := (Filter{Where: "1; DROP TABLE images"}).Check(); !errors.As(err, &fe) || fe.Token != ";" || fe.Offset != 1 {
		t.Errorf("err = %#v", err)
	}
	if err := (Filter{Tags: make([]string, MaxFilterValues+1)}).Check(); !errors.As(err, &fe) {
		t.Errorf("too many tags: %v", err)
	}
}

func TestLexFilter_SplitsTokensLikeSQLite(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"year<=1900", []string{"year", "<=", "1900"}},
		{"name = 'it''s; not a statement'", []string{"name", "=", "'it''s; not a statement'"}},
		{`"odd ""name""" <> [x;y] OR ` + "`a`", []string{`"odd ""name"""`, "<>", "[x;y]", "OR", "`a`"}},
		{"x'00ff' || X'' -> '$.a' ->> 0", []string{"x'00ff'", "||", "X''", "->", "'$.a'", "->>", "0"}},
		{"1.5e3+.5-0x1F*1_000", []string{"1.5e3", "+", ".5", "-", "0x1F", "*", "1_000"}},
		{"a.b!=c", []string{"a", ".", "b", "!=", "c"}},
		{"1 -- ; x\n2 /* ; */ 3", []string{"1", "-- ; x", "2", "/* ; */", "3"}},
		{"é = 'ü'", []string{"é", "=", "'ü'"}},
		{"12abc 'open", []string{"12abc", "'open"}},
	}
	for _, tc := range cases {
		var got []string
		for _, tok := range lexFilter(tc.in) {
			got = append(got, tok.text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q; want %q", tc.in, got, tc.want)
		}
	}
	kinds := lexFilter("12abc 'open ; ?2 :a")
	if kinds[0].kind != tkIllegal || kinds[1].kind != tkIllegal {
		t.Errorf("a number running into letters and an open string must be illegal: %+v", kinds)
	}
}
