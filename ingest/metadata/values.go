package metadata

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// rowBuilder turns the cells of one row into a Row, collecting problems.
type rowBuilder struct {
	row      Row
	problems []Problem
}

func newRowBuilder(file string, rowNum int) *rowBuilder {
	return &rowBuilder{row: Row{File: file, Row: rowNum}}
}

func (b *rowBuilder) problem(column, msg string) {
	b.problems = append(b.problems, Problem{File: b.row.File, Row: b.row.Row, Column: column, Message: msg})
}

// drop reports a bad value that is not used: msg says why.
func (b *rowBuilder) drop(column, msg string) {
	b.problem(column, msg+"; value dropped")
	b.row.Dropped = append(b.row.Dropped, column)
}

// MaxValueBytes bounds one metadata value: a 10 MB cell is a broken export,
// not a caption, and would weigh on every response and index that carries it.
const MaxValueBytes = 1 << 20

// set stores one cell. Empty cells leave the field unset.
func (b *rowBuilder) set(column, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	if len(value) > MaxValueBytes {
		b.drop(column, fmt.Sprintf("%d bytes, more than the limit of %d", len(value), MaxValueBytes))
		return
	}
	m := &b.row.Meta
	switch column {
	case "filename":
		b.row.Filename = NormalizeFilename(value)
	case "category":
		m.Category = value
	case "description":
		m.Description = value
	case "permalink":
		m.Permalink = value
	case "label":
		m.Label = value
	case "tags":
		m.Tags = splitTags(value)
	case "year":
		if y, ok := parseYear(value); ok {
			m.Year = &y
		} else {
			b.drop(column, quote(value)+" is not a year")
		}
	case "lat":
		m.Lat = b.coordinate(column, value, 90)
	case "lng":
		m.Lng = b.coordinate(column, value, 180)
	case "x":
		m.X = b.coordinate(column, value, math.Inf(1))
	case "y":
		m.Y = b.coordinate(column, value, math.Inf(1))
	default:
		if m.Extra == nil {
			m.Extra = map[string]string{}
		}
		m.Extra[column] = value
	}
}

// coordinate parses a finite number within ±limit.
func (b *rowBuilder) coordinate(column, value string, limit float64) *float64 {
	f, err := strconv.ParseFloat(value, 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		b.drop(column, quote(value)+" is not a number")
		return nil
	case math.Abs(f) > limit:
		b.drop(column, quote(value)+" is out of range (-"+strconv.FormatFloat(limit, 'f', -1, 64)+" to "+strconv.FormatFloat(limit, 'f', -1, 64)+")")
		return nil
	}
	return &f
}

// finish returns the row, or false (with a problem) when it has no filename.
func (b *rowBuilder) finish() (Row, []Problem, bool) {
	if b.row.Filename == "" {
		b.problem("filename", "empty; row ignored")
		return Row{}, b.problems, false
	}
	return b.row, b.problems, true
}

// splitTags splits a pipe-separated tags cell: trimmed, no empties, no repeats.
func splitTags(s string) []string {
	var tags []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, "|") {
		t = strings.TrimSpace(t)
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags
}

var (
	// A year, possibly negative (BCE), as integer or as the float pandas
	// writes for integer columns with gaps ("1920.0").
	yearNumber = regexp.MustCompile(`^-?\d{1,4}(\.0+)?$`)
	// An ISO-like date or timestamp starting with a four-digit year.
	yearDate = regexp.MustCompile(`^(\d{4})[-/](0?[1-9]|1[0-2])([-/](0?[1-9]|[12]\d|3[01]))?([T ].*)?$`)
)

// parseYear reads a year: "1920", "-300", "1920.0", "1920-05-03", "1920/5",
// "1920-05-03T10:00:00Z". Anything else (e.g. "19x0", "c. 1920") is rejected.
func parseYear(s string) (int, bool) {
	if yearNumber.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		return int(f), err == nil
	}
	if m := yearDate.FindStringSubmatch(s); m != nil {
		y, err := strconv.Atoi(m[1])
		return y, err == nil
	}
	return 0, false
}
