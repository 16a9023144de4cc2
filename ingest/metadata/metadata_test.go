package metadata

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, file, data string) Table {
	t.Helper()
	tab, err := Parse(file, []byte(data))
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return tab
}

func problemStrings(tab Table) []string {
	var out []string
	for _, p := range tab.Problems {
		out = append(out, p.Error())
	}
	return out
}

func rowFor(t *testing.T, tab Table, filename string) Row {
	t.Helper()
	for _, r := range tab.Rows {
		if r.Filename == filename {
			return r
		}
	}
	t.Fatalf("no row for %q in %+v", filename, tab.Rows)
	return Row{}
}

func TestParseCSV_ReadsPixPlotColumns(t *testing.T) {
	tab := mustParse(t, "meta.csv", "\uFEFF Filename ,CATEGORY,Tags,Description,Permalink,Year,Label,Lat,Lng,X,Y\n"+
		"cats/a.jpg,Cats,sleeping| indoor ||sleeping,A cat on a mat,https://example.org/a,1921,cat,41.31,-72.92,0.5,-1.25\n")
	if len(tab.Problems) != 0 {
		t.Fatalf("problems: %q", problemStrings(tab))
	}
	r := rowFor(t, tab, "cats/a.jpg")
	m := r.Meta
	if m.Category != "Cats" || m.Description != "A cat on a mat" || m.Permalink != "https://example.org/a" || m.Label != "cat" {
		t.Errorf("text fields: %+v", m)
	}
	if !reflect.DeepEqual(m.Tags, []string{"sleeping", "indoor"}) {
		t.Errorf("tags = %q, want trimmed, no empties, no repeats", m.Tags)
	}
	if *m.Year != 1921 || *m.Lat != 41.31 || *m.Lng != -72.92 || *m.X != 0.5 || *m.Y != -1.25 {
		t.Errorf("numbers: year %v lat %v lng %v x %v y %v", *m.Year, *m.Lat, *m.Lng, *m.X, *m.Y)
	}
	if r.Row != 2 || r.File != "meta.csv" {
		t.Errorf("row %d file %q", r.Row, r.File)
	}
}

func TestParseCSV_KeepsOtherColumnsAsExtra(t *testing.T) {
	tab := mustParse(t, "meta.csv", "filename,Photographer,accession no.,category\na.jpg,Studio H,1987.12.3,x\nb.jpg,,,y\n")
	if !reflect.DeepEqual(tab.ExtraColumns, []string{"photographer", "accession no."}) {
		t.Errorf("extra columns = %q", tab.ExtraColumns)
	}
	want := map[string]string{"photographer": "Studio H", "accession no.": "1987.12.3"}
	if got := rowFor(t, tab, "a.jpg").Meta.Extra; !reflect.DeepEqual(got, want) {
		t.Errorf("extra = %q, want %q", got, want)
	}
	if got := rowFor(t, tab, "b.jpg").Meta.Extra; len(got) != 0 {
		t.Errorf("empty cells should not be stored: %q", got)
	}
}

func TestParseCSV_BadValuesAreReportedWithRowAndColumnAndDropped(t *testing.T) {
	tab := mustParse(t, "meta.csv", "filename,year,lat,lng,x,category\n"+
		"ok.jpg,1920,10,20,1,fine\n"+
		"y.jpg,19x0,10,20,1,kept\n"+
		"lat.jpg,1920,200,20,1,kept\n"+
		"lng.jpg,1920,10,-999,1,kept\n"+
		"x.jpg,1920,10,20,abc,kept\n")
	want := []string{
		`meta.csv: row 3, column "year": "19x0" is not a year; value dropped`,
		`meta.csv: row 4, column "lat": "200" is out of range (-90 to 90); value dropped`,
		`meta.csv: row 5, column "lng": "-999" is out of range (-180 to 180); value dropped`,
		`meta.csv: row 6, column "x": "abc" is not a number; value dropped`,
	}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(tab.Rows) != 5 {
		t.Fatalf("every row is kept, got %d", len(tab.Rows))
	}
	y := rowFor(t, tab, "y.jpg").Meta
	if y.Year != nil || y.Lat == nil || y.Category != "kept" {
		t.Errorf("only the bad value is dropped: %+v", y)
	}
	if rowFor(t, tab, "lat.jpg").Meta.Lat != nil || rowFor(t, tab, "lng.jpg").Meta.Lng != nil || rowFor(t, tab, "x.jpg").Meta.X != nil {
		t.Error("bad values must be dropped")
	}
}

func TestParseCSV_RowNumbersCountRecordsNotLines(t *testing.T) {
	// Row 2 spans three lines; row 3 is a blank line (a row in a spreadsheet too).
	tab := mustParse(t, "meta.csv", "filename,description,year\n"+
		"a.jpg,\"first line\nsecond, with comma\nthird \"\"quoted\"\"\",1900\n"+
		"\n"+
		"b.jpg,plain,19x0\n")
	if got := rowFor(t, tab, "a.jpg").Meta.Description; got != "first line\nsecond, with comma\nthird \"quoted\"" {
		t.Errorf("quoted newlines: %q", got)
	}
	want := []string{`meta.csv: row 4, column "year": "19x0" is not a year; value dropped`}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func TestParseCSV_DuplicateFilenameNamesBothRowsAndFirstWins(t *testing.T) {
	tab := mustParse(t, "meta.csv", "filename,category\na.jpg,first\nb.jpg,x\n./a.jpg,second\n")
	want := []string{`meta.csv: row 4, column "filename": duplicate filename "a.jpg", already in meta.csv row 2; this row is ignored (the first one is used)`}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	if rowFor(t, tab, "a.jpg").Meta.Category != "first" || len(tab.Rows) != 2 {
		t.Errorf("first row must win: %+v", tab.Rows)
	}
}

func TestParseCSV_MissingFilenameColumnIsAnError(t *testing.T) {
	_, err := Parse("meta.csv", []byte("file,category\na.jpg,x\n"))
	if err == nil || !strings.Contains(err.Error(), `meta.csv: no "filename" column`) || !strings.Contains(err.Error(), "file, category") {
		t.Errorf("err = %v", err)
	}
}

func TestParseCSV_WrongDelimiterIsNamed(t *testing.T) {
	_, err := Parse("meta.csv", []byte("filename;category;year\na.jpg;cats;1920\n"))
	if err == nil || !strings.Contains(err.Error(), "looks ';'-delimited") {
		t.Errorf("semicolon file: err = %v", err)
	}
	_, err = Parse("meta.csv", []byte("filename\tcategory\na.jpg\tcats\n"))
	if err == nil || !strings.Contains(err.Error(), "looks tab-delimited") {
		t.Errorf("tab file: err = %v", err)
	}
}

func TestParse_TSVByExtension(t *testing.T) {
	tab := mustParse(t, "meta.tsv", "filename\tcategory\na b.jpg\tcats, dogs\n")
	if rowFor(t, tab, "a b.jpg").Meta.Category != "cats, dogs" {
		t.Errorf("rows: %+v", tab.Rows)
	}
}

func TestParseCSV_TenMegabyteDescriptionIsDroppedAndReported(t *testing.T) {
	big := strings.Repeat("Lorem ipsum, \"dolor\" sit amet.\n", 10<<20/32)
	csv := "filename,description,year\nbig.jpg,\"" + strings.ReplaceAll(big, `"`, `""`) + "\",1901\nsmall.jpg,short,19x0\n"
	tab := mustParse(t, "meta.csv", csv)
	row := rowFor(t, tab, "big.jpg")
	if row.Meta.Description != "" || *row.Meta.Year != 1901 || !reflect.DeepEqual(row.Dropped, []string{"description"}) {
		t.Errorf("description is %d bytes, year %v, dropped %q", len(row.Meta.Description), row.Meta.Year, row.Dropped)
	}
	want := []string{
		fmt.Sprintf(`meta.csv: row 2, column "description": %d bytes, more than the limit of 1048576; value dropped`, len(strings.TrimSpace(big))),
		`meta.csv: row 3, column "year": "19x0" is not a year; value dropped`,
	}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q", got)
	}
}

func TestParseCSV_StrayQuoteIsReadLenientlyAndReported(t *testing.T) {
	tab := mustParse(t, "meta.csv", "filename,description\na.jpg,a 5\" floppy disk\nb.jpg,ok\n")
	if got := rowFor(t, tab, "a.jpg").Meta.Description; got != `a 5" floppy disk` {
		t.Errorf("description = %q", got)
	}
	if got := problemStrings(tab); len(got) != 1 || !strings.HasPrefix(got[0], "meta.csv: row 2: stray quote character") {
		t.Errorf("problems = %q", got)
	}
}

func TestParseCSV_UnbalancedQuoteIsAnErrorWithItsRow(t *testing.T) {
	_, err := Parse("meta.csv", []byte("filename,description,year\na.jpg,ok,1900\nb.jpg,\"never closed,1901\nc.jpg,x,1902\n"))
	if err == nil || !strings.Contains(err.Error(), "meta.csv: row 3, starting on line 3: extraneous or missing \" in quoted-field") {
		t.Errorf("err = %v", err)
	}
}

func TestParseCSV_RaggedRowsAreReported(t *testing.T) {
	tab := mustParse(t, "meta.csv", "filename,category\na.jpg,x,surplus\nb.jpg\n")
	want := []string{"meta.csv: row 2: 3 cells but the header has 2 columns; the extra cells are ignored"}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q", got)
	}
	if len(tab.Rows) != 2 {
		t.Errorf("short rows are fine: %+v", tab.Rows)
	}
}

func TestParseCSV_EmptyFilenameAndRepeatedHeader(t *testing.T) {
	tab := mustParse(t, "meta.csv", "filename,year,Year\n,1900,1901\na.jpg,1902,1903\n")
	want := []string{
		`meta.csv: row 1, column "year": repeated in columns 2 and 3; column 3 is ignored`,
		`meta.csv: row 2, column "filename": empty; row ignored`,
	}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q", got)
	}
	if y := rowFor(t, tab, "a.jpg").Meta.Year; y == nil || *y != 1902 {
		t.Errorf("the first year column is used: %v", y)
	}
}

func TestParseCSV_Encodings(t *testing.T) {
	if _, err := Parse("meta.csv", []byte{0xFF, 0xFE, 'f', 0}); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("UTF-16: %v", err)
	}
	tab := mustParse(t, "meta.csv", "filename,category\na.jpg,caf\xe9\n")
	if got := rowFor(t, tab, "a.jpg").Meta.Category; got != "caf\uFFFD" {
		t.Errorf("category = %q", got)
	}
	if got := problemStrings(tab); len(got) != 1 || !strings.Contains(got[0], "not valid UTF-8 (first bad byte on line 2)") {
		t.Errorf("problems = %q", got)
	}
}

func TestParseYear_AcceptsYearsAndDatesOnly(t *testing.T) {
	good := map[string]int{"1920": 1920, "-300": -300, "1920.0": 1920, "1920-05-03": 1920, "1920/5": 1920, "1895-06-01T00:00:00Z": 1895, "850": 850}
	for s, want := range good {
		if y, ok := parseYear(s); !ok || y != want {
			t.Errorf("parseYear(%q) = %d %v, want %d", s, y, ok, want)
		}
	}
	for _, s := range []string{"19x0", "c. 1920", "1920.5", "12345", "1920-13-01", "May 1920", "1920s"} {
		if y, ok := parseYear(s); ok {
			t.Errorf("parseYear(%q) = %d, want rejected", s, y)
		}
	}
}

func TestNormalizeFilename(t *testing.T) {
	cases := map[string]string{
		" ./a/b.jpg ":         "a/b.jpg",
		`sub\dir\c.png`:       "sub/dir/c.png",
		"a//b/../c.jpg":       "a/c.jpg",
		"https://x/y//z.jpg":  "https://x/y//z.jpg",
		"Ünïcode name 1.jpeg": "Ünïcode name 1.jpeg",
	}
	for in, want := range cases {
		if got := NormalizeFilename(in); got != want {
			t.Errorf("NormalizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseJSON_ArrayOfObjects(t *testing.T) {
	tab := mustParse(t, "meta.json", `[
	  {"Filename": "a.jpg", "category": "cats", "tags": ["x", "y z", "x"], "year": 1920, "lat": "41.3", "lng": 12,
	   "Creator": "Anne", "dims": {"w": 3, "h": 4}, "public": true, "missing": null},
	  {"filename": "b.jpg", "year": 1920.5, "lat": 91, "x": [1, 2]},
	  "not an object",
	  {"filename": "a.jpg", "category": "dup"}
	]`)
	a := rowFor(t, tab, "a.jpg")
	if a.Meta.Category != "cats" || !reflect.DeepEqual(a.Meta.Tags, []string{"x", "y z"}) || *a.Meta.Year != 1920 || *a.Meta.Lat != 41.3 || *a.Meta.Lng != 12 {
		t.Errorf("a: %+v", a.Meta)
	}
	wantExtra := map[string]string{"creator": "Anne", "dims": `{"w":3,"h":4}`, "public": "true"}
	if !reflect.DeepEqual(a.Meta.Extra, wantExtra) {
		t.Errorf("extra = %q, want %q", a.Meta.Extra, wantExtra)
	}
	if !reflect.DeepEqual(tab.ExtraColumns, []string{"creator", "dims", "public", "missing"}) {
		t.Errorf("extra columns = %q", tab.ExtraColumns)
	}
	want := []string{
		`meta.json: object 2, field "year": "1920.5" is not a year; value dropped`,
		`meta.json: object 2, field "lat": "91" is out of range (-90 to 90); value dropped`,
		`meta.json: object 2, field "x": an array or object is not a valid value here; value dropped`,
		`meta.json: object 3: not an object; ignored`,
		`meta.json: object 4, field "filename": duplicate filename "a.jpg", already in meta.json object 1; this row is ignored (the first one is used)`,
	}
	if got := problemStrings(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseJSON_OneObjectPerFileAndMerge(t *testing.T) {
	a := mustParse(t, "meta/a.json", `{"filename": "a.jpg", "description": "first", "year": "19x0"}`)
	b := mustParse(t, "meta/b.json", `{"filename": "b.jpg", "description": "second"}`)
	dup := mustParse(t, "meta/c.json", `{"filename": "a.jpg", "description": "again"}`)
	all := Merge(a, b, dup)
	if len(all.Rows) != 2 || rowFor(t, all, "a.jpg").Meta.Description != "first" {
		t.Errorf("rows: %+v", all.Rows)
	}
	want := []string{
		`meta/a.json: field "year": "19x0" is not a year; value dropped`,
		`meta/c.json: field "filename": duplicate filename "a.jpg", already in meta/a.json; this row is ignored (the first one is used)`,
	}
	if got := problemStrings(all); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseJSON_SyntaxErrorNamesTheLine(t *testing.T) {
	_, err := Parse("meta.json", []byte("[\n{\"filename\": \"a.jpg\"},\n{\"filename\": \"b.jpg\",,}\n]"))
	if err == nil || !strings.Contains(err.Error(), "meta.json: invalid JSON on line 3") {
		t.Errorf("err = %v", err)
	}
	_, err = Parse("meta.json", []byte(`"just a string"`))
	if err == nil || !strings.Contains(err.Error(), "expected an array of objects or one object") {
		t.Errorf("err = %v", err)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("filename,category,year\na.jpg,x,1920\n"))
	f.Add([]byte("\uFEFFFilename,Description\n\"a.jpg\",\"multi\nline\"\n"))
	f.Add([]byte("filename;year\na;1\n"))
	f.Add([]byte("filename,d\na,5\" disk\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseCSV("fuzz.csv", data)
		if err != nil {
			return
		}
		checkTable(t, tab)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`[{"filename":"a.jpg","tags":["x"],"year":1920}]`))
	f.Add([]byte(`{"filename":"a.jpg","lat":"91"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseJSON("fuzz.json", data)
		if err != nil {
			return
		}
		checkTable(t, tab)
	})
}

// checkTable states what every parsed table guarantees.
func checkTable(t *testing.T, tab Table) {
	seen := map[string]bool{}
	for _, r := range tab.Rows {
		if r.Filename == "" || seen[r.Filename] {
			t.Fatalf("empty or repeated filename %q", r.Filename)
		}
		seen[r.Filename] = true
		m := r.Meta
		if (m.Lat != nil && (*m.Lat < -90 || *m.Lat > 90)) || (m.Lng != nil && (*m.Lng < -180 || *m.Lng > 180)) {
			t.Fatalf("out-of-range coordinate kept: %+v", m)
		}
	}
}
