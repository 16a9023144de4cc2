package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Filter selects images of the catalog for a plot. Its three parts combine with
// AND; the values of Tags and of Categories combine with OR. The zero Filter
// selects every image.
//
// Where is an SQL boolean expression over the `catalog` view (schema.sql): one
// row per image with id, filename, path, category, year, description,
// permalink, label, lat, lng, width, height, tags, … and one column per extra
// metadata column. has_tag('bees') is true for images tagged bees. Examples:
//
//	year < 1900
//	category = 'portrait' AND year BETWEEN 1900 AND 1920
//	has_tag('bees') AND photographer LIKE 'Ann%'
//
// Where is untrusted (the web viewer sends it): see Select for what it may do.
type Filter struct {
	Where      string   `json:"where,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Categories []string `json:"categories,omitempty"`
}

// Limits of a filter.
const (
	// MaxFilterLength is the longest Where, in bytes.
	MaxFilterLength = 4096
	// MaxFilterValues is the most Tags plus Categories.
	MaxFilterValues = 1000
	// DefaultFilterTimeout bounds Select when its context has no deadline:
	// filters are untrusted, and every one is refused or stopped within a second.
	DefaultFilterTimeout = time.Second
	// maxFilterToken is the longest literal or identifier in Where.
	maxFilterToken = 1024
	// maxFilterNesting is the deepest parenthesis nesting in Where.
	maxFilterNesting = 32
)

// ErrNoMatches is the FilterError of a valid filter that selects no image.
var ErrNoMatches = errors.New("filter matches no images")

// FilterError is a filter that cannot be used: bad syntax, a column or function
// that does not exist or is not allowed, a limit exceeded, or no match. It is
// the user's mistake (HTTP 400); Msg says what is wrong and names Token.
type FilterError struct {
	Token  string // the offending token, column, table or function; "" when none applies
	Offset int    // byte offset of Token in Filter.Where; -1 when unknown
	Msg    string
	Err    error // ErrNoMatches, context.DeadlineExceeded (too slow), or nil
}

func (e *FilterError) Error() string { return e.Msg }
func (e *FilterError) Unwrap() error { return e.Err }

// filterErrorAt is a FilterError about token t.
func filterErrorAt(t token, format string, args ...any) *FilterError {
	return &FilterError{Token: t.text, Offset: t.offset, Msg: fmt.Sprintf(format, args...)}
}

// statementKeywords belong to statements other than a query and can never
// appear in an expression; rejecting them up front names them clearly.
var statementKeywords = setOf("ALTER", "COMMIT", "CREATE", "DELETE", "DROP", "INSERT", "INTO", "RETURNING",
	"TRANSACTION", "UPDATE")

// statementWords start statements too, but SQLite also takes them as names
// (a metadata column called "release" or "begin"): they are rejected only
// where a statement would go on (ATTACH 'x', PRAGMA name, WITH RECURSIVE r).
var statementWords = setOf("ANALYZE", "ATTACH", "BEGIN", "DETACH", "EXPLAIN", "PRAGMA", "RECURSIVE", "REINDEX",
	"RELEASE", "REPLACE", "ROLLBACK", "SAVEPOINT", "VACUUM")

// sqlKeywords are written in upper case in a filter's canonical form.
var sqlKeywords = setOf("ALL", "AND", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "COLLATE", "CROSS",
	"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DESC", "DISTINCT", "ELSE", "END", "ESCAPE", "EXCEPT",
	"EXISTS", "FALSE", "FROM", "GLOB", "GROUP", "HAVING", "IN", "INNER", "INTERSECT", "IS", "ISNULL", "JOIN",
	"LEFT", "LIKE", "LIMIT", "MATCH", "NOT", "NOTNULL", "NULL", "OFFSET", "ON", "OR", "ORDER", "REGEXP",
	"SELECT", "THEN", "TRUE", "UNION", "USING", "VALUES", "WHEN", "WHERE", "WITH")

// hasTagSQL is what has_tag('x') compiles to; %s is the quoted tag name.
const hasTagSQL = `catalog.id IN (SELECT it.image_id FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE t.name = %s)`

// compiledFilter is a filter ready to run: a WHERE clause over the catalog view
// and its bound arguments.
type compiledFilter struct {
	where string // "" selects everything
	args  []any
}

// parseWhere checks a filter's Where and returns its tokens.
func parseWhere(where string) ([]token, error) {
	if len(where) > MaxFilterLength {
		return nil, &FilterError{Offset: MaxFilterLength, Msg: fmt.Sprintf(
			"filter is %d bytes long; the limit is %d", len(where), MaxFilterLength)}
	}
	if !utf8.ValidString(where) {
		return nil, &FilterError{Offset: -1, Msg: "filter is not valid UTF-8"}
	}
	if i := strings.IndexByte(where, 0); i >= 0 { // SQLite would end the statement there
		return nil, &FilterError{Token: "\x00", Offset: i, Msg: fmt.Sprintf("filter contains a NUL byte %q at byte %d", "\x00", i)}
	}
	toks := lexFilter(where)
	var open []token // the parentheses not closed yet
	for i, t := range toks {
		if err := checkToken(t, toks, i); err != nil {
			return nil, err
		}
		switch t.kind {
		case tkLParen:
			if open = append(open, t); len(open) > maxFilterNesting {
				return nil, filterErrorAt(t, "filter nests parentheses deeper than %d at %q (byte %d)",
					maxFilterNesting, t.text, t.offset)
			}
		case tkRParen:
			if len(open) == 0 {
				return nil, filterErrorAt(t, "unmatched %q at byte %d", t.text, t.offset)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		t := open[len(open)-1]
		return nil, filterErrorAt(t, "filter is incomplete: the %q at byte %d is not closed", t.text, t.offset)
	}
	return toks, nil
}

// checkToken rejects what a single expression over the catalog never needs.
func checkToken(t token, toks []token, i int) error {
	switch t.kind {
	case tkSemicolon:
		return filterErrorAt(t, `a filter is one expression: %q at byte %d would end it and start another statement`, t.text, t.offset)
	case tkComment:
		return filterErrorAt(t, "comments are not allowed in a filter (%q at byte %d)", short(t.text), t.offset)
	case tkParam:
		return filterErrorAt(t, "parameters are not allowed in a filter (%q at byte %d); write the value itself", t.text, t.offset)
	case tkIllegal:
		return filterErrorAt(t, "unrecognized token %q at byte %d", short(t.text), t.offset)
	case tkString, tkBlob, tkNumber, tkIdent, tkQuotedIdent:
		if len(t.text) > maxFilterToken {
			return filterErrorAt(t, "%s at byte %d is %d bytes long; the limit is %d",
				short(t.text), t.offset, len(t.text), maxFilterToken)
		}
	}
	if t.kind != tkIdent {
		return nil
	}
	word := t.upper()
	if statementKeywords[word] || statementWords[word] && i+1 < len(toks) && continuesStatement(toks[i+1]) {
		return filterErrorAt(t, "%s is not allowed in a filter: a filter is one expression that reads the catalog view (write \"%s\" in double quotes if it is a column name)",
			word, t.text)
	}
	return nil
}

// continuesStatement: after a statement word, next makes it a statement
// rather than a column name (which an operator, keyword, ')' or ',' follows).
func continuesStatement(next token) bool {
	switch next.kind {
	case tkString, tkQuotedIdent, tkNumber, tkBlob:
		return true
	case tkIdent:
		return !sqlKeywords[next.upper()]
	}
	return false
}

// short abbreviates long token text for messages.
func short(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 37
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// rewriteHasTag replaces has_tag('x') by a lookup of the tag tables, which
// uses their indexes. has_tag(tags, 'x') (two arguments) is left to the SQL
// function of that name.
func rewriteHasTag(toks []token) ([]token, error) {
	out := make([]token, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tkIdent || !strings.EqualFold(t.text, "has_tag") || i+1 >= len(toks) || toks[i+1].kind != tkLParen {
			out = append(out, t)
			continue
		}
		end, commas := closingParen(toks, i+1)
		if commas > 0 {
			out = append(out, t)
			continue
		}
		if end != i+3 || toks[i+2].kind != tkString {
			return nil, filterErrorAt(t, "has_tag takes one quoted tag name, e.g. has_tag('bees'), at byte %d", t.offset)
		}
		out = append(out, token{kind: tkCompiled, text: fmt.Sprintf(hasTagSQL, toks[i+2].text), offset: t.offset})
		i = end
	}
	return out, nil
}

// closingParen returns the index of the ')' matching the '(' at open, and how
// many commas sit directly inside the pair. parseWhere checked the balance.
func closingParen(toks []token, open int) (end, commas int) {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch {
		case toks[j].kind == tkLParen:
			depth++
		case toks[j].kind == tkRParen:
			if depth--; depth == 0 {
				return j, commas
			}
		case depth == 1 && toks[j].text == ",":
			commas++
		}
	}
	return len(toks) - 1, commas
}

// joinTokens writes tokens back as SQL with single spaces, except inside
// parentheses, before commas, between a function's name and its '(', and
// around a '.' between names.
func joinTokens(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && spaceBetween(toks[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func spaceBetween(prev, next token) bool {
	isName := func(t token) bool {
		return t.kind == tkQuotedIdent || t.kind == tkIdent && !sqlKeywords[t.upper()]
	}
	switch {
	case prev.kind == tkLParen, next.kind == tkRParen, next.text == ",":
		return false
	case next.kind == tkLParen && isName(prev): // a function call
		return false
	case prev.text == "." && (isName(next) || next.text == "*"), next.text == "." && isName(prev):
		return false
	}
	return true
}

// canonicalWhere is Where in canonical form: tokens separated as joinTokens
// does, SQL keywords in upper case.
func canonicalWhere(toks []token) string {
	out := slices.Clone(toks)
	for i, t := range out {
		if t.kind == tkIdent && sqlKeywords[t.upper()] {
			out[i].text = t.upper()
		}
	}
	return joinTokens(out)
}

// checkValues bounds the sugar lists.
func (f Filter) checkValues() error {
	if n := len(f.Tags) + len(f.Categories); n > MaxFilterValues {
		return &FilterError{Offset: -1, Msg: fmt.Sprintf("filter lists %d tags and categories; the limit is %d", n, MaxFilterValues)}
	}
	for _, v := range slices.Concat(f.Tags, f.Categories) {
		if len(v) > maxFilterToken {
			return &FilterError{Token: short(v), Offset: -1, Msg: fmt.Sprintf("tag or category %q is %d bytes long; the limit is %d",
				short(v), len(v), maxFilterToken)}
		}
		if !utf8.ValidString(v) {
			return &FilterError{Token: v, Offset: -1, Msg: fmt.Sprintf("tag or category %q is not valid UTF-8", v)}
		}
	}
	return nil
}

// compile checks the filter and builds its WHERE clause. Tags and categories
// are bound arguments (a JSON array each), never spliced into the SQL.
func (f Filter) compile() (compiledFilter, error) {
	var cf compiledFilter
	if err := f.checkValues(); err != nil {
		return cf, err
	}
	toks, err := parseWhere(f.Where)
	if err != nil {
		return cf, err
	}
	var parts []string
	if len(toks) > 0 {
		compiled, err := rewriteHasTag(toks)
		if err != nil {
			return cf, err
		}
		parts = append(parts, "("+joinTokens(compiled)+")")
	}
	if tags := normalizeTags(f.Tags); len(tags) > 0 {
		list, _ := json.Marshal(tags) // strings always marshal
		parts = append(parts, `catalog.id IN (SELECT it.image_id FROM image_tags it JOIN tags t ON t.id = it.tag_id
			WHERE t.name IN (SELECT value FROM json_each(?)))`)
		cf.args = append(cf.args, string(list))
	}
	if cats := normalizeTags(f.Categories); len(cats) > 0 {
		list, _ := json.Marshal(cats)
		parts = append(parts, `catalog.category IN (SELECT value FROM json_each(?))`)
		cf.args = append(cf.args, string(list))
	}
	cf.where = strings.Join(parts, " AND ")
	return cf, nil
}

// String is the filter's canonical form: one SQL expression over the catalog
// view that selects the same images (tags and categories written as has_tag
// and IN), with white space and keyword case normalised and the values of
// Tags and Categories sorted. Filters that select the same images for the same
// reason have the same String; "" selects every image. A filter that does not
// parse is returned with its Where trimmed, so that it still reads as typed.
func (f Filter) String() string {
	var parts []string
	where := strings.TrimSpace(f.Where)
	if toks, err := parseWhere(f.Where); err == nil {
		where = canonicalWhere(toks)
	}
	if where != "" {
		parts = append(parts, where)
	}
	if tags := normalizeTags(f.Tags); len(tags) > 0 {
		var ors []string
		for _, t := range tags {
			ors = append(ors, "has_tag("+quoteString(t)+")")
		}
		parts = append(parts, strings.Join(ors, " OR "))
	}
	if cats := normalizeTags(f.Categories); len(cats) > 0 {
		var quoted []string
		for _, c := range cats {
			quoted = append(quoted, quoteString(c))
		}
		parts = append(parts, "category IN ("+strings.Join(quoted, ", ")+")")
	}
	if len(parts) == 1 {
		return parts[0]
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, " AND ")
}

// Check compiles the filter without a catalog: syntax, limits and the
// statement keywords are checked, columns and functions are not (Select does).
func (f Filter) Check() error {
	_, err := f.compile()
	return err
}

// selectSQL is the query a compiled filter runs.
func (cf compiledFilter) selectSQL() string {
	if cf.where == "" {
		return `SELECT catalog.id FROM catalog ORDER BY catalog.id`
	}
	return `SELECT catalog.id FROM catalog WHERE ` + cf.where + ` ORDER BY catalog.id`
}

// Select returns the ids of the images the filter selects, in id order. A
// filter that selects nothing is a *FilterError wrapping ErrNoMatches.
//
// The filter is untrusted. It is compiled on a read-only connection under an
// SQLite authorizer that lets it read only the catalog view and the tables
// behind it (images, tags, image_tags, json_each) and call only pure functions
// (see filterFunctions), so a second statement, ATTACH, PRAGMA, a write, or a
// read of any other table is refused before anything runs. Its values are
// capped at 8 MiB each, and it runs for at most ctx's deadline, or
// DefaultFilterTimeout when ctx has none (counted once it has a connection, so
// a busy server's queue does not count against the filter). Every refusal is a *FilterError
// naming the offending token, column, table or function.
func (c *Catalog) Select(ctx context.Context, f Filter) ([]int64, error) {
	cf, err := f.compile()
	if err != nil {
		return nil, err
	}
	ids, err := c.runFilter(ctx, f.Where, cf)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, &FilterError{Offset: -1, Err: ErrNoMatches, Msg: noMatchesMessage(f)}
	}
	return ids, nil
}

func noMatchesMessage(f Filter) string {
	if s := f.String(); s != "" {
		return fmt.Sprintf("filter matches no images: %s", s)
	}
	return "filter matches no images: the catalog has no images"
}
