package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/internal/testkit"
)

// metadataSheet is a metadata file's cells: a header and rows.
type metadataSheet [][]string

func (s metadataSheet) column(name string) int {
	i := slices.Index(s[0], name)
	if i < 0 {
		panic("no column " + name)
	}
	return i
}

// row is the index of the row whose filename is name.
func (s metadataSheet) row(name string) int {
	for i, r := range s {
		if r[0] == name {
			return i
		}
	}
	panic("no row " + name)
}

// with returns a copy with one cell replaced.
func (s metadataSheet) with(filename, column, value string) metadataSheet {
	out := s.clone()
	out[out.row(filename)][out.column(column)] = value
	return out
}

func (s metadataSheet) clone() metadataSheet {
	out := make(metadataSheet, len(s))
	for i, r := range s {
		out[i] = slices.Clone(r)
	}
	return out
}

// encode writes the sheet as delimited text.
func (s metadataSheet) encode(t *testing.T, delim rune) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = delim
	if err := w.WriteAll(s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// emojiSheet is the emoji sample's metadata.csv (filename first) plus valid
// lat and lng columns, so that every kind of stored value can be lost.
func emojiSheet(t *testing.T, dir string) metadataSheet {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "metadata.csv"))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if records[0][0] != "filename" {
		t.Fatalf("the sample's first column is %q", records[0][0])
	}
	sheet := metadataSheet{append(records[0], "lat", "lng")}
	for i, r := range records[1:] {
		sheet = append(sheet, append(r, fmt.Sprint(10+i), fmt.Sprint(-20-i)))
	}
	return sheet
}

// storedMetadata is every image's stored metadata by path.
func storedMetadata(t *testing.T, cat *catalog.Catalog) map[string]pixplot.Metadata {
	t.Helper()
	ctx := context.Background()
	n := info(t, cat).Images
	out := map[string]pixplot.Metadata{}
	for id := int64(1); id <= n; id++ {
		img, err := cat.Image(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out[img.Path] = img.Meta
	}
	return out
}

func TestRun_BadMetadataIsReportedByRowAndColumnAndLosesNothingStored(t *testing.T) {
	emb := realEmbedder(t)
	dir := testkit.Emoji(t, 20)
	sheet := emojiSheet(t, dir)
	work := t.TempDir()
	baseDB := filepath.Join(work, "base.db")
	baseCSV := filepath.Join(work, "metadata.csv")
	if err := os.WriteFile(baseCSV, sheet.encode(t, ','), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := catalog.Open(baseDB, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := ingest(t, base, Options{Images: dir, Metadata: baseCSV}); s.Ingested != 20 || s.MetadataMatched != 20 || s.MetadataProblems != 0 {
		t.Fatalf("base ingest:\n%s", s.Text())
	}
	before := storedMetadata(t, base)
	if err := base.Close(); err != nil { // checkpoints: one self-contained file to copy
		t.Fatal(err)
	}
	const victim, neighbour = "1f631.png", "1f385.png"
	if before[victim].Year == nil || before[victim].Lat == nil || before[victim].Description == "" {
		t.Fatalf("the base catalog lacks the values the cases try to lose: %+v", before[victim])
	}
	csvRow := func(name string) int { return sheet.row(name) + 1 } // spreadsheet rows: the header is row 1
	huge := strings.Repeat("A long, long description. ", 10<<20/26+1) + "The end."

	for _, tc := range []struct {
		name string
		file string // metadata file name (its extension picks the format)
		data []byte
		// Either the run fails with errText and nothing changes...
		errText string
		// ...or it runs, reporting exactly problems ("<where>: <message>",
		// with <file> for the metadata file), with these stored changes.
		problems []string
		changed  func(m map[string]pixplot.Metadata)
	}{
		{name: "wrong delimiter", file: "semicolons.csv", data: sheet.encode(t, ';'),
			errText: `no "filename" column: the header "filename;category;tags;`},
		{name: "wrong delimiter names it", file: "semicolons.csv", data: sheet.encode(t, ';'),
			errText: `looks ';'-delimited; save the file comma-separated (or as .tsv for tabs)`},
		{name: "missing filename column", file: "nofilename.csv",
			data:    func() []byte { s := sheet.clone(); s[0][0] = "file"; return s.encode(t, ',') }(),
			errText: `no "filename" column (the join key with the images); the header has: file, category, tags`},
		{name: "byte order mark", file: "bom.csv",
			data: append([]byte("\uFEFF"), sheet.with(victim, "category", "Screams").encode(t, ',')...),
			changed: func(m map[string]pixplot.Metadata) {
				meta := m[victim]
				meta.Category = "Screams"
				m[victim] = meta
			}},
		{name: "quoted newlines", file: "newlines.csv",
			// A bad value after the three-line cell must still name its spreadsheet row.
			data:     sheet.with(victim, "description", "Face screaming\nin \"fear\",\r\nsecond line").with(neighbour, "year", "later").encode(t, ','),
			problems: []string{fmt.Sprintf(`<file>: row %d, column "year": "later" is not a year; value dropped`, csvRow(neighbour))},
			changed: func(m map[string]pixplot.Metadata) {
				meta := m[victim]
				meta.Description = "Face screaming\nin \"fear\",\nsecond line" // a CSV reader reads \r\n in quotes as \n
				m[victim] = meta
			}},
		{name: "duplicate filename rows", file: "duplicates.csv",
			data: func() []byte {
				s := sheet.clone()
				dup := slices.Clone(s[s.row(victim)])
				dup[s.column("category")] = "Second thoughts"
				return append(s, dup).encode(t, ',')
			}(),
			problems: []string{fmt.Sprintf(`<file>: row %d, column "filename": duplicate filename %q, already in <file> row %d; this row is ignored (the first one is used)`,
				len(sheet)+1, victim, csvRow(victim))}},
		{name: "non-numeric year", file: "year.csv", data: sheet.with(victim, "year", "19x0").encode(t, ','),
			problems: []string{fmt.Sprintf(`<file>: row %d, column "year": "19x0" is not a year; value dropped`, csvRow(victim))}},
		{name: "out-of-range lat and lng", file: "coordinates.csv",
			data: sheet.with(victim, "lat", "200").with(neighbour, "lng", "-180.5").encode(t, ','),
			problems: []string{
				fmt.Sprintf(`<file>: row %d, column "lat": "200" is out of range (-90 to 90); value dropped`, csvRow(victim)),
				fmt.Sprintf(`<file>: row %d, column "lng": "-180.5" is out of range (-180 to 180); value dropped`, csvRow(neighbour)),
			}},
		{name: "10 MB description", file: "huge.csv", data: sheet.with(victim, "description", huge).encode(t, ','),
			problems: []string{fmt.Sprintf(`<file>: row %d, column "description": %d bytes, more than the limit of 1048576; value dropped`, csvRow(victim), len(huge))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "catalog.db")
			copyFileForTest(t, baseDB, db)
			meta := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(meta, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			cat, err := catalog.Open(db, catalog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer cat.Close()
			s, err := Run(context.Background(), cat, emb, Options{Images: dir, Metadata: meta, Workers: 2})
			want := cloneMetadata(before)
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) || !strings.Contains(err.Error(), meta) {
					t.Errorf("err = %v, want one naming %s with %q", err, meta, tc.errText)
				}
			} else {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				var wantProblems []string
				for _, p := range tc.problems {
					wantProblems = append(wantProblems, strings.ReplaceAll(p, "<file>", meta))
				}
				if got := metadataProblems(t, cat); !reflect.DeepEqual(got, wantProblems) {
					t.Errorf("ingest_errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
				}
				if code, wantCode := s.Outcome().ExitCode(), min(len(tc.problems), 1)*3; code != wantCode {
					t.Errorf("exit status %d, want %d", code, wantCode)
				}
				if tc.changed != nil {
					tc.changed(want)
				}
			}
			if in := info(t, cat); in.Images != 20 || in.Thumbnails != 60 || in.Models[0].Vectors != 20 {
				t.Errorf("images were lost: %+v", in)
			}
			got := storedMetadata(t, cat)
			for path, w := range want {
				if !reflect.DeepEqual(got[path], w) {
					t.Errorf("%s: stored metadata\n%s\nwant\n%s", path, describeMetadata(got[path]), describeMetadata(w))
				}
			}
			columns, err := cat.Columns(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range columns {
				if strings.ContainsRune(c, '\uFEFF') || strings.Contains(c, ";") {
					t.Errorf("a catalog column is named %q", c)
				}
			}
		})
	}
}

// metadataProblems lists the stored metadata problems as "<where>: <message>", oldest first.
func metadataProblems(t *testing.T, cat *catalog.Catalog) []string {
	t.Helper()
	errs, err := cat.Errors(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(errs) {
		if e.Stage == StageMetadata {
			out = append(out, e.Path+": "+e.Message)
		}
	}
	return out
}

func cloneMetadata(m map[string]pixplot.Metadata) map[string]pixplot.Metadata {
	out := make(map[string]pixplot.Metadata, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// describeMetadata prints a metadata value with pointers followed and long text shortened.
func describeMetadata(m pixplot.Metadata) string {
	deref := func(p any) string {
		switch v := p.(type) {
		case *int:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *float64:
			if v != nil {
				return fmt.Sprint(*v)
			}
		}
		return "nil"
	}
	desc := m.Description
	if len(desc) > 80 {
		desc = fmt.Sprintf("%.80s… (%d bytes)", desc, len(desc))
	}
	return fmt.Sprintf("category %q description %q year %s lat %s lng %s tags %q extra %d columns",
		m.Category, desc, deref(m.Year), deref(m.Lat), deref(m.Lng), m.Tags, len(m.Extra))
}

func copyFileForTest(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
