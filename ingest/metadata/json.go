package metadata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ParseJSON reads JSON metadata: an array of objects (one per image), or one
// object (a file per image, as PixPlot's per-file JSON). Keys are the column
// names; "tags" may be a pipe-separated string or an array of strings; arrays
// and objects in other fields are kept as JSON text in Extra.
func ParseJSON(file string, data []byte) (Table, error) {
	var t Table
	data, err := checkEncoding(file, data, &t)
	if err != nil {
		return Table{}, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return Table{}, fmt.Errorf("%s: empty file: expected an array of objects or one object", file)
	}
	switch trimmed[0] {
	case '{':
		if err := t.addObject(file, 0, data); err != nil {
			return Table{}, err
		}
	case '[':
		if err := t.addArray(file, data); err != nil {
			return Table{}, err
		}
	default:
		return Table{}, fmt.Errorf("%s: expected an array of objects or one object, found %q", file, trimmed[:1])
	}
	return t, nil
}

func (t *Table) addArray(file string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return jsonError(file, data, err)
	}
	first := map[string]Row{}
	extras := map[string]bool{}
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonError(file, data, err)
		}
		if !bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("{")) {
			t.Problems = append(t.Problems, Problem{File: file, Row: n, Message: "not an object; ignored"})
			continue
		}
		row, problems, ok := objectRow(file, n, raw, extras, &t.ExtraColumns)
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
	if _, err := dec.Token(); err != nil {
		return jsonError(file, data, err)
	}
	return trailingData(file, dec)
}

func (t *Table) addObject(file string, rowNum int, data []byte) error {
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return jsonError(file, data, err)
	}
	if err := trailingData(file, dec); err != nil {
		return err
	}
	row, problems, ok := objectRow(file, rowNum, raw, map[string]bool{}, &t.ExtraColumns)
	t.Problems = append(t.Problems, problems...)
	if ok {
		t.Rows = append(t.Rows, row)
	}
	return nil
}

func trailingData(file string, dec *json.Decoder) error {
	if _, err := dec.Token(); err == nil {
		return fmt.Errorf("%s: unexpected data after the JSON value at byte %d", file, dec.InputOffset())
	}
	return nil
}

// objectRow reads one object's fields in document order.
func objectRow(file string, rowNum int, raw []byte, extras map[string]bool, extraColumns *[]string) (Row, []Problem, bool) {
	b := newRowBuilder(file, rowNum)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the opening brace
		b.problem("", "unreadable object: "+err.Error())
		return Row{}, b.problems, false
	}
	seen := map[string]bool{}
	for dec.More() {
		keyToken, err := dec.Token()
		if err != nil {
			b.problem("", "unreadable object: "+err.Error())
			return Row{}, b.problems, false
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			b.problem("", "unreadable object: "+err.Error())
			return Row{}, b.problems, false
		}
		column := normalizeHeader(fmt.Sprint(keyToken))
		if column == "" {
			continue
		}
		if seen[column] {
			b.problem(column, "repeated key; the first one is used")
			continue
		}
		seen[column] = true
		if !knownColumns[column] && !extras[column] {
			extras[column] = true
			*extraColumns = append(*extraColumns, column)
		}
		b.setJSON(column, value)
	}
	return b.finish()
}

// setJSON stores one JSON value: scalars as text, tag arrays as tags, other
// arrays and objects as JSON text in Extra (or a problem for typed columns).
func (b *rowBuilder) setJSON(column string, value json.RawMessage) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		b.problem(column, "unreadable value: "+err.Error())
		b.row.Dropped = append(b.row.Dropped, column)
		return
	}
	switch t := v.(type) {
	case nil:
	case string:
		b.set(column, t)
	case json.Number:
		b.set(column, t.String())
	case bool:
		b.set(column, fmt.Sprint(t))
	case []any:
		if column == "tags" {
			var parts []string
			for _, e := range t {
				parts = append(parts, strings.ReplaceAll(fmt.Sprint(e), "|", " "))
			}
			b.set(column, strings.Join(parts, "|"))
			return
		}
		b.setStructured(column, value)
	default:
		b.setStructured(column, value)
	}
}

func (b *rowBuilder) setStructured(column string, value json.RawMessage) {
	if knownColumns[column] {
		b.drop(column, "an array or object is not a valid value here")
		return
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, value); err != nil {
		compact.Write(value)
	}
	b.set(column, compact.String())
}

// jsonError names the line of a syntax error.
func jsonError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := min(int(se.Offset), len(data))
		line := 1 + bytes.Count(data[:off], []byte{'\n'})
		return fmt.Errorf("%s: invalid JSON on line %d: %v", file, line, err)
	}
	return fmt.Errorf("%s: invalid JSON: %v", file, err)
}
