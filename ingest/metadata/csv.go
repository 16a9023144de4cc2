package metadata

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ParseCSV reads comma-separated metadata with a header row.
func ParseCSV(file string, data []byte) (Table, error) {
	return parseDelimited(file, data, ',')
}

// csvRecord is one record and its spreadsheet row number.
type csvRecord struct {
	row    int
	fields []string
}

func parseDelimited(file string, data []byte, delim rune) (Table, error) {
	var t Table
	data, err := checkEncoding(file, data, &t)
	if err != nil {
		return Table{}, err
	}
	records, lenient, err := readRecords(data, delim)
	if err != nil {
		return Table{}, fmt.Errorf("%s: %w", file, err)
	}
	if lenient != nil {
		t.Problems = append(t.Problems, Problem{File: file, Row: lenient.row,
			Message: "stray quote character (" + lenient.err.Error() + "); the file was read with lenient quoting, check this row"})
	}
	if len(records) == 0 {
		return Table{}, fmt.Errorf("%s: empty file: a header row with a %q column is required", file, "filename")
	}
	header := records[0]
	columns, err := headerColumns(file, header, &t)
	if err != nil {
		return Table{}, err
	}
	first := map[string]Row{}
	for _, rec := range records[1:] {
		if allEmpty(rec.fields) {
			continue
		}
		if len(rec.fields) > len(columns) && !allEmpty(rec.fields[len(columns):]) {
			t.Problems = append(t.Problems, Problem{File: file, Row: rec.row,
				Message: fmt.Sprintf("%d cells but the header has %d columns; the extra cells are ignored", len(rec.fields), len(columns))})
		}
		b := newRowBuilder(file, rec.row)
		for i, cell := range rec.fields {
			if i < len(columns) && columns[i] != "" {
				b.set(columns[i], cell)
			}
		}
		row, problems, ok := b.finish()
		t.Problems = append(t.Problems, problems...)
		if !ok {
			continue
		}
		if prev, dup := first[row.Filename]; dup {
			t.Problems = append(t.Problems, duplicateProblem(prev, row))
			continue
		}
		first[row.Filename] = row
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// lenientRead says where strict quoting failed before a lenient re-read succeeded.
type lenientRead struct {
	row int
	err error
}

// readRecords reads every record with strict quoting. A quote error gets a
// second, lenient read (a stray " kept as text), accepted only when every
// record then has the header's width: an unbalanced quote that swallowed
// the rest of the file would not, and then the strict error is returned.
func readRecords(data []byte, delim rune) ([]csvRecord, *lenientRead, error) {
	records, err := readAll(data, delim, false)
	if err == nil {
		return records, nil, nil
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) || (!errors.Is(pe.Err, csv.ErrQuote) && !errors.Is(pe.Err, csv.ErrBareQuote)) {
		return nil, nil, err
	}
	strictErr := describeParseError(err, records)
	lenient, lerr := readAll(data, delim, true)
	if lerr != nil || len(lenient) == 0 || !sameWidth(lenient) {
		return nil, nil, strictErr
	}
	return lenient, &lenientRead{row: nextRow(records), err: pe.Err}, nil
}

// readAll reads records, numbering them as spreadsheet rows: blank lines,
// which the csv reader skips, still count as rows.
func readAll(data []byte, delim rune, lazy bool) ([]csvRecord, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = lazy
	var (
		records []csvRecord
		offset  int64 // input offset after the previous record
		line    = 1   // line number at offset
		row     = 0   // spreadsheet row of the previous record
	)
	for {
		fields, err := r.Read()
		if err == io.EOF {
			return records, nil
		}
		if err != nil {
			return records, err
		}
		start, _ := r.FieldPos(0)
		row += 1 + (start - line) // lines skipped before this record were blank rows
		next := r.InputOffset()
		line += bytes.Count(data[offset:next], []byte{'\n'})
		offset = next
		records = append(records, csvRecord{row: row, fields: fields})
	}
}

func nextRow(records []csvRecord) int {
	if len(records) == 0 {
		return 1
	}
	return records[len(records)-1].row + 1
}

func describeParseError(err error, before []csvRecord) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("row %d, starting on line %d: %v (noticed at line %d, character %d)", nextRow(before), pe.StartLine, pe.Err, pe.Line, pe.Column)
	}
	return err
}

func sameWidth(records []csvRecord) bool {
	for _, r := range records[1:] {
		if len(r.fields) != len(records[0].fields) {
			return false
		}
	}
	return true
}

func allEmpty(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerColumns names each column; "" marks a column to skip (a repeated name).
// A missing filename column is an error, with a hint when the header looks
// like it uses another delimiter.
func headerColumns(file string, header csvRecord, t *Table) ([]string, error) {
	columns := make([]string, len(header.fields))
	seen := map[string]int{}
	hasFilename := false
	for i, h := range header.fields {
		name := normalizeHeader(h)
		if name == "" {
			name = fmt.Sprintf("column_%d", i+1)
		}
		if prev, dup := seen[name]; dup {
			t.Problems = append(t.Problems, Problem{File: file, Row: header.row, Column: name,
				Message: fmt.Sprintf("repeated in columns %d and %d; column %d is ignored", prev+1, i+1, i+1)})
			continue
		}
		seen[name] = i
		columns[i] = name
		hasFilename = hasFilename || name == "filename"
		if !knownColumns[name] {
			t.ExtraColumns = append(t.ExtraColumns, name)
		}
	}
	if hasFilename {
		return columns, nil
	}
	for _, h := range header.fields {
		for _, d := range []string{";", "\t", "|", ":"} {
			for _, part := range strings.Split(h, d) {
				if normalizeHeader(part) == "filename" {
					return nil, fmt.Errorf("%s: no %q column: the header %s looks %s-delimited; save the file comma-separated (or as .tsv for tabs)",
						file, "filename", quote(strings.Join(header.fields, ",")), delimiterName(d))
				}
			}
		}
	}
	return nil, fmt.Errorf("%s: no %q column (the join key with the images); the header has: %s",
		file, "filename", strings.Join(nonEmpty(columns), ", "))
}

func delimiterName(d string) string {
	if d == "\t" {
		return "tab"
	}
	return "'" + d + "'"
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkEncoding strips a UTF-8 BOM, refuses UTF-16, and replaces invalid
// UTF-8 (reporting where it starts) so that the text stored is valid.
func checkEncoding(file string, data []byte, t *Table) ([]byte, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, fmt.Errorf("%s: the file is UTF-16 encoded; save it as UTF-8", file)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if utf8.Valid(data) {
		return data, nil
	}
	bad := 0
	for bad < len(data) {
		r, size := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		bad += size
	}
	line := 1 + bytes.Count(data[:bad], []byte{'\n'})
	t.Problems = append(t.Problems, Problem{File: file,
		Message: fmt.Sprintf("not valid UTF-8 (first bad byte on line %d); bad bytes were replaced with U+FFFD, save the file as UTF-8", line)})
	return bytes.ToValidUTF8(data, []byte("\uFFFD")), nil
}
