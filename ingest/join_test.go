package ingest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/ingest/iiif"
	"github.com/pixplot/pixplot/ingest/metadata"
)

func itemsAt(paths ...string) []Item {
	var items []Item
	for _, p := range paths {
		items = append(items, Item{Source: "/root/" + p, Path: p, Filename: p[strings.LastIndex(p, "/")+1:]})
	}
	return items
}

func rowsOf(t *testing.T, csv string) []metadata.Row {
	t.Helper()
	tab, err := metadata.ParseCSV("meta.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Problems) > 0 {
		t.Fatalf("fixture has problems: %v", tab.Problems)
	}
	return tab.Rows
}

func categoryOf(j Join, i int) string {
	m, ok := j.Meta[i]
	if !ok {
		return "<none>"
	}
	return m.Category
}

func TestJoin_ByRelativePathThenUniqueBaseName(t *testing.T) {
	items := itemsAt("cats/a.jpg", "dogs/b.jpg", "c.jpg")
	j := JoinMetadata(items, rowsOf(t, "filename,category\ncats/a.jpg,by path\nb.jpg,by base name\n/root/c.jpg,by source\n"))
	for i, want := range []string{"by path", "by base name", "by source"} {
		if got := categoryOf(j, i); got != want {
			t.Errorf("%s: category %q, want %q", items[i].Path, got, want)
		}
	}
	if j.Matched != 3 || len(j.Unmatched) != 0 || len(j.Problems) != 0 {
		t.Errorf("matched %d unmatched %v problems %v", j.Matched, j.Unmatched, j.Problems)
	}
}

func TestJoin_DuplicateBaseNamesAreDistinctImages(t *testing.T) {
	items := itemsAt("2019/img_001.jpg", "2020/img_001.jpg")
	j := JoinMetadata(items, rowsOf(t, "filename,category\n2019/img_001.jpg,old\n2020/img_001.jpg,new\n"))
	if categoryOf(j, 0) != "old" || categoryOf(j, 1) != "new" {
		t.Errorf("categories %q %q", categoryOf(j, 0), categoryOf(j, 1))
	}
	j = JoinMetadata(items, rowsOf(t, "filename,category\nimg_001.jpg,which?\n"))
	if len(j.Meta) != 0 || j.Matched != 0 {
		t.Errorf("an ambiguous base name must not be applied: %+v", j.Meta)
	}
	want := []string{`meta.csv row 2: filename "img_001.jpg" matches 2 images (2019/img_001.jpg, 2020/img_001.jpg); give the path relative to the images root`}
	var got []string
	for _, p := range j.Problems {
		got = append(got, p.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q\nwant %q", got, want)
	}
}

func TestJoin_ImagesWithoutRowsAreKeptAndRowsWithoutImagesReported(t *testing.T) {
	items := itemsAt("a.jpg", "b.jpg")
	j := JoinMetadata(items, rowsOf(t, "filename,category\na.jpg,x\nmissing.jpg,y\nsub/also-missing.png,z\n"))
	if categoryOf(j, 1) != "<none>" {
		t.Errorf("b.jpg has no row: %q", categoryOf(j, 1))
	}
	var unmatched []string
	for _, r := range j.Unmatched {
		unmatched = append(unmatched, r.Where()+" "+r.Filename)
	}
	if want := []string{"meta.csv row 3 missing.jpg", "meta.csv row 4 sub/also-missing.png"}; !reflect.DeepEqual(unmatched, want) {
		t.Errorf("unmatched = %q, want %q", unmatched, want)
	}
}

func TestJoin_TwoRowsForOneImageFirstWins(t *testing.T) {
	items := itemsAt("x/a.jpg")
	j := JoinMetadata(items, rowsOf(t, "filename,category\nx/a.jpg,first\na.jpg,second\n"))
	if categoryOf(j, 0) != "first" || len(j.Problems) != 1 || !strings.Contains(j.Problems[0].Message, "both describe x/a.jpg") {
		t.Errorf("category %q problems %v", categoryOf(j, 0), j.Problems)
	}
}

func TestJoin_RowOverridesIIIFMetadataFieldByField(t *testing.T) {
	year := 1480
	items := []Item{{Source: "https://s/i/full/full/0/default.jpg", Path: "https://s/i/full/full/0/default.jpg", Filename: "i.jpg",
		Meta: &pixplot.Metadata{Category: "Book of Hours", Description: "f. 1r", Year: &year, Extra: map[string]string{"author": "Unknown", "shelfmark": "MS 187"}}}}
	j := JoinMetadata(items, rowsOf(t, "filename,category,author,tags\ni.jpg,Manuscripts,Master of Mary of Burgundy,hours|flemish\n"))
	m := j.Meta[0]
	if m.Category != "Manuscripts" || m.Description != "f. 1r" || *m.Year != 1480 || !reflect.DeepEqual(m.Tags, []string{"hours", "flemish"}) {
		t.Errorf("merged = %+v", m)
	}
	if want := map[string]string{"author": "Master of Mary of Burgundy", "shelfmark": "MS 187"}; !reflect.DeepEqual(m.Extra, want) {
		t.Errorf("extra = %q, want %q", m.Extra, want)
	}
	if items[0].Meta.Extra["author"] != "Unknown" {
		t.Error("the item's own metadata must not be modified")
	}
}

func TestManifestYear_FromNavDateOrADateEntry(t *testing.T) {
	cases := []struct {
		m    iiif.Manifest
		want int
		ok   bool
	}{
		{iiif.Manifest{NavDate: "1480-01-01T00:00:00Z"}, 1480, true},
		{iiif.Manifest{NavDate: "-0500-01-01T00:00:00Z"}, -500, true},
		{iiif.Manifest{Metadata: []iiif.Pair{{Label: "Date", Value: "ca. 1480–1490"}}}, 1480, true},
		{iiif.Manifest{Metadata: []iiif.Pair{{Label: "Shelfmark", Value: "MS 1480"}}}, 0, false},
		{iiif.Manifest{Metadata: []iiif.Pair{{Label: "Date", Value: "undated"}}}, 0, false},
	}
	for _, c := range cases {
		if y, ok := manifestYear(&c.m); y != c.want || ok != c.ok {
			t.Errorf("%+v: year %d %v, want %d %v", c.m, y, ok, c.want, c.ok)
		}
	}
}
