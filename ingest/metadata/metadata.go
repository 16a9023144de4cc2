// Package metadata reads PixPlot metadata files (CSV or JSON) into
// pixplot.Metadata rows keyed by file name. Parsing is a pure function over the
// file's bytes: bad values are reported with file, row and column and dropped,
// and reading continues; only a file that cannot be used at all is an error.
//
// Columns (headers are case-insensitive, trimmed, BOM stripped): filename (the
// join key, required), category, tags (pipe-separated), description,
// permalink, year, label, lat, lng, x, y. Every other column is kept in
// Metadata.Extra under its lower-cased header.
package metadata

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/pixplot/pixplot"
)

// Row is one image's metadata as a metadata file states it.
type Row struct {
	// Filename is the filename cell, normalised: "/" separators, no "./"
	// prefix. It is a path relative to the images root, a base name, or a URL.
	Filename string
	File     string // the metadata file the row came from
	// Row is where the row is: its spreadsheet row for CSV (the header is row
	// 1), its 1-based position for a JSON array, 0 for a one-object JSON file.
	Row  int
	Meta pixplot.Metadata
	// Dropped are the columns whose bad values were reported and dropped: a
	// value already stored for the image there is kept, not cleared.
	Dropped []string
}

// Where names the row for messages: `meta.csv row 4`, `meta.json object 2`, `a.json`.
func (r Row) Where() string {
	switch {
	case r.Row > 0 && isJSON(r.File):
		return fmt.Sprintf("%s object %d", r.File, r.Row)
	case r.Row > 0:
		return fmt.Sprintf("%s row %d", r.File, r.Row)
	}
	return r.File
}

// Problem is something wrong in a metadata file that was reported and skipped:
// a bad value (dropped), a duplicate or empty filename (row ignored), a ragged row.
type Problem struct {
	File    string
	Row     int    // as Row.Row; 0 when about the whole file
	Column  string // lower-cased header; "" when about a whole row or file
	Message string
}

func (p Problem) Error() string {
	return p.Where() + ": " + p.Message
}

// Where names the problem's place: `meta.csv: row 4, column "year"`.
func (p Problem) Where() string {
	return where(p.File, p.Row, isJSON(p.File), p.Column)
}

func where(file string, row int, json bool, column string) string {
	var b strings.Builder
	b.WriteString(file)
	switch {
	case row > 0 && json:
		fmt.Fprintf(&b, ": object %d", row)
	case row > 0:
		fmt.Fprintf(&b, ": row %d", row)
	}
	if column != "" {
		sep := ": "
		if row > 0 {
			sep = ", "
		}
		if json {
			fmt.Fprintf(&b, "%sfield %q", sep, column)
		} else {
			fmt.Fprintf(&b, "%scolumn %q", sep, column)
		}
	}
	return b.String()
}

func isJSON(file string) bool {
	return strings.EqualFold(path.Ext(file), ".json")
}

// Table is the readable content of one or more metadata files.
type Table struct {
	Rows []Row // in file order; each Filename at most once (the first row wins)
	// ExtraColumns are the columns beyond PixPlot's, in first-seen order.
	ExtraColumns []string
	Problems     []Problem
}

// Parse reads a metadata file by its extension: .json is JSON, .tsv and .tab
// are tab-separated, anything else is comma-separated CSV.
func Parse(file string, data []byte) (Table, error) {
	switch strings.ToLower(path.Ext(file)) {
	case ".json":
		return ParseJSON(file, data)
	case ".tsv", ".tab":
		return parseDelimited(file, data, '\t')
	}
	return ParseCSV(file, data)
}

// Merge joins tables read from several files (e.g. one JSON object per file),
// keeping the first row for each filename and reporting the others.
func Merge(tables ...Table) Table {
	var out Table
	first := map[string]Row{}
	extras := map[string]bool{}
	for _, t := range tables {
		out.Problems = append(out.Problems, t.Problems...)
		for _, c := range t.ExtraColumns {
			if !extras[c] {
				extras[c] = true
				out.ExtraColumns = append(out.ExtraColumns, c)
			}
		}
		for _, r := range t.Rows {
			if prev, dup := first[r.Filename]; dup {
				out.Problems = append(out.Problems, duplicateProblem(prev, r))
				continue
			}
			first[r.Filename] = r
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

func duplicateProblem(first, dup Row) Problem {
	return Problem{File: dup.File, Row: dup.Row, Column: "filename",
		Message: fmt.Sprintf("duplicate filename %q, already in %s; this row is ignored (the first one is used)", dup.Filename, first.Where())}
}

// NormalizeFilename makes a filename cell comparable with image paths:
// trimmed, "/" separators, cleaned, no "./" prefix. URLs are only trimmed.
func NormalizeFilename(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	s = path.Clean(strings.ReplaceAll(s, `\`, "/"))
	if s == "." {
		return ""
	}
	return s
}

// columns that have a field of their own in pixplot.Metadata.
var knownColumns = map[string]bool{
	"filename": true, "category": true, "tags": true, "description": true, "permalink": true,
	"year": true, "label": true, "lat": true, "lng": true, "x": true, "y": true,
}

// normalizeHeader makes a header cell a column name: BOM stripped, trimmed, lower-cased.
func normalizeHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
}

// quote shortens a value for a message.
func quote(v string) string {
	const max = 60
	if utf8.RuneCountInString(v) > max {
		r := []rune(v)
		v = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", v)
}
