package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// filterTables are what a filter may read: the catalog view, the view and
// tables behind it, and the json_each/json_tree table functions.
var filterTables = map[string]bool{
	"catalog": true, "catalog_base": true, "images": true, "tags": true, "image_tags": true,
	"json_each": true, "json_tree": true,
}

// filterFunctions are the functions a filter may call: deterministic and
// without side effects (no random, randomblob, load_extension, sqlite_*,
// changes, fts or vector functions), plus has_tag.
var filterFunctions = setOf(
	// core scalars
	"abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "if", "ifnull", "iif",
	"instr", "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif",
	"octet_length", "printf", "quote", "replace", "round", "rtrim", "sign", "substr", "substring",
	"trim", "typeof", "unhex", "unicode", "unistr", "unlikely", "upper",
	// aggregates and window functions (in subqueries)
	"avg", "count", "group_concat", "string_agg", "sum", "total",
	"cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "nth_value", "ntile", "percent_rank",
	"rank", "row_number",
	// dates
	"date", "datetime", "julianday", "strftime", "time", "timediff", "unixepoch",
	// math (sqlite_math_functions)
	"acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
	"degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians",
	"sin", "sinh", "sqrt", "tan", "tanh", "trunc",
	// JSON (the catalog view uses json_extract and json_group_array)
	"json", "json_array", "json_array_length", "json_extract", "json_group_array",
	"json_group_object", "json_object", "json_quote", "json_type", "json_valid", "->", "->>",
	// pixplot
	"has_tag",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Runtime limits of the connection while a filter runs.
const (
	filterMaxValue     = 8 << 20 // SQLITE_LIMIT_LENGTH: stops randomblob(1e9)-style blow-ups
	filterMaxSQL       = 1 << 20 // SQLITE_LIMIT_SQL_LENGTH: also covers a re-read view definition
	filterMaxExprDepth = 250     // SQLITE_LIMIT_EXPR_DEPTH: deep nesting without parentheses
)

// sqliteRecursive is SQLITE_RECURSIVE (sqlite3.h), which the driver does not name.
const sqliteRecursive = 33

// Authorizer action codes (sqlite3.h), for messages.
var authActions = map[int]string{
	sqlite3.SQLITE_CREATE_INDEX: "CREATE INDEX", sqlite3.SQLITE_CREATE_TABLE: "CREATE TABLE",
	sqlite3.SQLITE_CREATE_VIEW: "CREATE VIEW", sqlite3.SQLITE_CREATE_TRIGGER: "CREATE TRIGGER",
	sqlite3.SQLITE_DELETE: "DELETE", sqlite3.SQLITE_DROP_TABLE: "DROP TABLE", sqlite3.SQLITE_INSERT: "INSERT",
	sqlite3.SQLITE_PRAGMA: "PRAGMA", sqlite3.SQLITE_TRANSACTION: "a transaction", sqlite3.SQLITE_UPDATE: "UPDATE",
	sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH", sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE",
	sqlite3.SQLITE_REINDEX: "REINDEX", sqlite3.SQLITE_ANALYZE: "ANALYZE", sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT",
}

// filterGuard is the authorizer of one filter run. It remembers what it
// refused, to name it in the error.
type filterGuard struct {
	denied []*FilterError
}

// refusal is the refusal to report: the first that names something the user
// wrote. A virtual table's own queries (its shadow tables) are refused before
// the table itself, so when no refusal names a word of the filter, the first
// table of the file that the filter names and may not read is reported.
func (g *filterGuard) refusal(ctx context.Context, q queryer, where string) *FilterError {
	if len(g.denied) == 0 {
		return nil
	}
	for _, d := range g.denied {
		if offset := tokenOffset(where, d.Token); offset >= 0 {
			named := *d
			named.Offset = offset
			return &named
		}
	}
	if t, ok := forbiddenTableIn(ctx, q, where); ok {
		return filterErrorAt(t, "table %s cannot be read by a filter: filters read the catalog view", t.text)
	}
	return g.denied[0]
}

// forbiddenTableIn finds the first word of where that names a table or view
// of the file a filter may not read.
func forbiddenTableIn(ctx context.Context, q queryer, where string) (token, bool) {
	names, err := queryStrings(ctx, q, `SELECT lower(name) FROM sqlite_master WHERE type IN ('table', 'view')`)
	if err != nil {
		return token{}, false
	}
	tables := setOf(append(names, "sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema")...)
	for _, t := range lexFilter(where) {
		name := strings.ToLower(unquoteIdent(t))
		if (t.kind == tkIdent || t.kind == tkQuotedIdent) && tables[name] && !filterTables[name] {
			return t, true
		}
	}
	return token{}, false
}

// unquoteIdent is the name a (possibly quoted) identifier token stands for.
func unquoteIdent(t token) string {
	if t.kind != tkQuotedIdent || len(t.text) < 2 {
		return t.text
	}
	inner := t.text[1 : len(t.text)-1]
	switch t.text[0] {
	case '"':
		return strings.ReplaceAll(inner, `""`, `"`)
	case '`':
		return strings.ReplaceAll(inner, "``", "`")
	}
	return inner
}

func (g *filterGuard) authorize(op int, arg1, arg2, db string) int {
	var what, refusal string
	switch op {
	case sqlite3.SQLITE_SELECT:
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_READ:
		// db is "" for a table read as a whole (count(*), a join that uses no column).
		if filterTables[strings.ToLower(arg1)] && (db == "main" || db == "") {
			return sqlite3.SQLITE_OK
		}
		what = arg1
		refusal = fmt.Sprintf("table %s cannot be read by a filter: filters read the catalog view", arg1)
	case sqlite3.SQLITE_FUNCTION:
		if filterFunctions[strings.ToLower(arg2)] {
			return sqlite3.SQLITE_OK
		}
		what = arg2
		refusal = fmt.Sprintf("function %s is not allowed in a filter", arg2)
	case sqliteRecursive:
		what = "WITH"
		refusal = "recursive queries (a WITH that reads itself) are not allowed in a filter"
	default:
		action, ok := authActions[op]
		if !ok {
			action = fmt.Sprintf("operation %d", op)
		}
		what = strings.TrimSpace(arg1 + " " + arg2)
		refusal = fmt.Sprintf("%s is not allowed in a filter", action)
		if what != "" {
			refusal += " (" + what + ")"
		}
	}
	g.denied = append(g.denied, &FilterError{Token: what, Offset: -1, Msg: refusal})
	return sqlite3.SQLITE_DENY
}

// runFilter runs a compiled filter on a read-only connection under the
// authorizer and limits, which are removed before the connection goes back to
// the pool. where is the filter as typed, to locate tokens in errors.
func (c *Catalog) runFilter(ctx context.Context, where string, cf compiledFilter) ([]int64, error) {
	conn, err := c.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultFilterTimeout)
		defer cancel()
	}
	// Load the schema before the limits apply (a long catalog view is fine).
	if _, err := conn.ExecContext(ctx, `SELECT 1 FROM catalog LIMIT 0`); err != nil {
		return nil, err
	}
	guard := &filterGuard{}
	restore, err := guardConnection(conn, guard)
	if err != nil {
		return nil, err
	}
	defer restore()
	start := time.Now()
	ids, err := queryInts(ctx, conn, cf.selectSQL(), cf.args...)
	if err != nil {
		restore() // the look-up of a refused table runs unguarded
		if refused := guard.refusal(ctx, conn, where); refused != nil {
			return nil, refused
		}
		return nil, filterFailure(ctx, where, time.Since(start), err)
	}
	return ids, nil
}

// guardConnection installs the authorizer and limits on conn and returns the
// function that takes them off again.
func guardConnection(conn *sql.Conn, guard *filterGuard) (restore func(), err error) {
	limits := map[int]int{
		sqlite3.SQLITE_LIMIT_LENGTH:     filterMaxValue,
		sqlite3.SQLITE_LIMIT_SQL_LENGTH: filterMaxSQL,
		sqlite3.SQLITE_LIMIT_EXPR_DEPTH: filterMaxExprDepth,
	}
	previous := map[int]int{}
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("filter: unexpected driver connection %T", dc)
		}
		for id, v := range limits {
			previous[id] = sc.SetLimit(id, v)
		}
		sc.RegisterAuthorizer(guard.authorize)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func() {
		_ = conn.Raw(func(dc any) error {
			sc := dc.(*sqlite3.SQLiteConn)
			sc.RegisterAuthorizer(nil)
			for id, v := range previous {
				sc.SetLimit(id, v)
			}
			return nil
		})
	}, nil
}

// SQLite error messages that name a token, and the part that is the token.
var sqliteTokenMessages = []*regexp.Regexp{
	regexp.MustCompile(`^near "(.*)": syntax error$`),
	regexp.MustCompile(`^no such column: (.+)$`),
	regexp.MustCompile(`^no such table: (?:main\.)?(.+)$`),
	regexp.MustCompile(`^no such function: (.+)$`),
	regexp.MustCompile(`^ambiguous column name: (.+)$`),
	regexp.MustCompile(`^wrong number of arguments to function (.+)\(\)$`),
	regexp.MustCompile(`^misuse of aggregate(?: function)?:? (.+)\(\)$`),
	regexp.MustCompile(`^misuse of window function (.+)\(\)$`),
	regexp.MustCompile(`^unsupported use of NULLS (FIRST|LAST)$`),
	regexp.MustCompile(`^no such collation sequence: (.+)$`),
}

// filterFailure turns an error of running a filter into a *FilterError naming
// what went wrong, or returns it as is when it is not the filter's fault.
func filterFailure(ctx context.Context, where string, ran time.Duration, err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return tooSlow(ctx, ran)
		}
		return err
	}
	msg := se.Error()
	switch se.Code {
	case sqlite3.ErrInterrupt:
		return tooSlow(ctx, ran)
	case sqlite3.ErrTooBig:
		return &FilterError{Offset: -1, Msg: fmt.Sprintf("filter makes a value larger than %d MiB (%s)", filterMaxValue>>20, msg)}
	case sqlite3.ErrError, sqlite3.ErrAuth, sqlite3.ErrRange, sqlite3.ErrMismatch, sqlite3.ErrConstraint:
	default:
		return err // I/O, corruption, busy: not the filter's fault
	}
	fe := &FilterError{Offset: -1, Msg: msg}
	for _, re := range sqliteTokenMessages {
		if m := re.FindStringSubmatch(msg); m != nil {
			fe.Token = m[1]
			fe.Offset = tokenOffset(where, fe.Token)
			break
		}
	}
	switch {
	case strings.HasPrefix(msg, "no such table"):
		fe.Msg += " (filters read the catalog view)"
	case msg == "incomplete input":
		fe.Msg = "filter is incomplete (incomplete input)"
	}
	return fe
}

// tooSlow is the error of a filter stopped by its deadline; a cancelled
// context (the caller gave up) is returned as is.
func tooSlow(ctx context.Context, ran time.Duration) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return &FilterError{Offset: -1, Err: context.DeadlineExceeded, Msg: fmt.Sprintf(
		"filter was stopped after %s: it takes too long; simplify it", ran.Round(time.Millisecond))}
}

// tokenOffset is the byte offset of the first whole-word occurrence of token in
// where, ignoring case; -1 when absent.
func tokenOffset(where, token string) int {
	if token == "" {
		return -1
	}
	lw, lt := strings.ToLower(where), strings.ToLower(token)
	for from := 0; ; {
		i := strings.Index(lw[from:], lt)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(lt)
		before := i == 0 || !isIdentChar(lw[i-1])
		after := end == len(lw) || !isIdentChar(lw[end])
		if before && after {
			return i
		}
		from = i + 1
	}
}
