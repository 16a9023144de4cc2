package catalog

import (
	"context"
	"database/sql"
	"strings"
)

// rebuildCatalogView replaces the `catalog` view with catalog_base plus one
// column per extra column (see schema.sql). The built-in columns are read from
// catalog_base itself, so schema.sql stays their only definition.
func rebuildCatalogView(ctx context.Context, tx *sql.Tx) error {
	builtin, err := queryStrings(ctx, tx, `SELECT name FROM pragma_table_info('catalog_base')`)
	if err != nil {
		return err
	}
	extras, err := queryStrings(ctx, tx, `SELECT name FROM extra_columns ORDER BY position, name`)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP VIEW IF EXISTS catalog`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, catalogViewSQL(builtin, extras))
	return err
}

// catalogViewSQL builds the view. An extra column named like a column already
// in the view (ignoring case, as SQL does) gets "extra_" prefixed until unique.
func catalogViewSQL(builtin, extras []string) string {
	taken := map[string]bool{}
	for _, name := range builtin {
		taken[strings.ToLower(name)] = true
	}
	cols := []string{"b.*"}
	for _, name := range extras {
		col := name
		for taken[strings.ToLower(col)] {
			col = "extra_" + col
		}
		taken[strings.ToLower(col)] = true
		cols = append(cols, extraValueSQL(name)+" AS "+quoteIdent(col))
	}
	return "CREATE VIEW catalog AS SELECT " + strings.Join(cols, ",\n  ") + "\n  FROM catalog_base b"
}

// extraValueSQL reads one key of b.extra. JSON paths cannot escape `"` (nor, in
// every SQLite version, `\`), so such keys are looked up through json_each.
func extraValueSQL(name string) string {
	if strings.ContainsAny(name, `"\`) {
		return "(SELECT value FROM json_each(b.extra) WHERE key = " + quoteString(name) + ")"
	}
	return "json_extract(b.extra, " + quoteString(`$."`+name+`"`) + ")"
}

func quoteIdent(s string) string  { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
