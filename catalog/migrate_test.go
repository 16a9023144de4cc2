package catalog

import (
	"database/sql"
	_ "embed"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot"
)

// schemaV1 is schema.sql as the first release wrote it.
//
//go:embed testdata/schema-v1.sql
var schemaV1 string

// versionOneFile writes a catalog as pixplot with schema version 1 left it:
// one plot with a umap layout and two hotspots.
func versionOneFile(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{schemaV1, `
		INSERT INTO settings(key, value) VALUES ('schema_version', '1');
		INSERT INTO plots(id, name, fingerprint, status, image_count) VALUES (1, 'old', 'f', 'ready', 2);
		INSERT INTO plot_images VALUES (1, 0, 10), (1, 1, 11);
		INSERT INTO plot_layouts(plot_id, layout, positions, cell_size) VALUES (1, 'umap', x'0000803f000080bf00000000cdcc4c3e', 0.5);
		INSERT INTO hotspots VALUES (1, 0, 'Cluster A', 1, 0, 0, '[10]', '[0]'), (1, 1, 'Cluster B', 1, 0, 0, '[11]', '[1]');`, extra} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// columns lists every table's columns (name, type, not null, default, key)
// and CHECK-bearing definitions are compared through an insert below.
func columns(t *testing.T, q queryer) []string {
	t.Helper()
	rows, err := queryStrings(ctx, q, `SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p."notnull" || ' ' || coalesce(p.dflt_value, '') || ' ' || p.pk
		FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid`)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestOpen_UpgradesVersionOneFileKeepingItsPlots(t *testing.T) {
	c, err := Open(versionOneFile(t, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := storedVersion(ctx, c.read); err != nil || v != pixplot.SchemaVersion {
		t.Fatalf("schema version after opening = %d, %v; want %d", v, err, pixplot.SchemaVersion)
	}
	fresh := openTemp(t)
	if got, want := columns(t, c.read), columns(t, fresh.read); !slices.Equal(got, want) {
		t.Errorf("upgraded tables differ from schema.sql's:\n got %q\nwant %q", got, want)
	}
	ranks, err := queryStrings(ctx, c.read, `SELECT label || '@' || rank FROM hotspots ORDER BY id`)
	if err != nil || !slices.Equal(ranks, []string{"Cluster A@0", "Cluster B@1"}) {
		t.Errorf("hotspots after upgrade = %q, %v; want the old order kept", ranks, err)
	}
	l, err := c.PlotLayout(ctx, "old", "umap")
	if err != nil || !slices.Equal(l.Positions, []float32{1, -1, 0, 0.2}) || l.CellSize != 0.5 {
		t.Errorf("umap layout after upgrade = %+v, %v", l, err)
	}
	if _, err := c.write.Exec(`INSERT INTO plot_layouts(plot_id, layout, positions, variant) VALUES (1, 'umap-jitter', x'', '{"jitter":true}')`); err != nil {
		t.Errorf("the upgraded file refuses a umap variant layout: %v", err)
	}
}

func TestOpen_ReadOnlyRefusesToUpgrade(t *testing.T) {
	path := versionOneFile(t, "")
	_, err := Open(path, Options{ReadOnly: true})
	if !errors.Is(err, ErrOlderSchema) || !strings.Contains(err.Error(), "schema version 1") {
		t.Fatalf("read-only Open of a version 1 file: %v; want ErrOlderSchema naming version 1", err)
	}
	raw, _ := sql.Open("sqlite3", path)
	defer raw.Close()
	if v, err := storedVersion(ctx, raw); err != nil || v != 1 {
		t.Errorf("file version after a refused read-only open = %d, %v; want 1", v, err)
	}
}

// An upgrade that fails half-way leaves the file exactly as it was.
func TestOpen_FailedUpgradeChangesNothing(t *testing.T) {
	path := versionOneFile(t, `CREATE TABLE plot_layouts_v2 (x)`) // in the migration's way
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 2") {
		t.Fatalf("Open = %v; want the failed upgrade to version 2 named", err)
	}
	raw, _ := sql.Open("sqlite3", path)
	defer raw.Close()
	if v, err := storedVersion(ctx, raw); err != nil || v != 1 {
		t.Errorf("file version after a failed upgrade = %d, %v; want 1", v, err)
	}
	cols, err := queryStrings(ctx, raw, `SELECT name FROM pragma_table_info('hotspots')`)
	if err != nil || slices.Contains(cols, "rank") {
		t.Errorf("hotspots columns after a failed upgrade = %q, %v; want no rank column", cols, err)
	}
}

// Read-only commands (info, plots, similar, export) open with Upgrade.
func TestOpen_ReadOnlyWithUpgradeUpgradesFirst(t *testing.T) {
	c, err := Open(versionOneFile(t, ""), Options{ReadOnly: true, Upgrade: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := storedVersion(ctx, c.read); err != nil || v != pixplot.SchemaVersion {
		t.Errorf("schema version = %d, %v; want %d", v, err, pixplot.SchemaVersion)
	}
	if _, err := c.PlotImages(ctx, "old"); err != nil {
		t.Errorf("the upgraded file's plot: %v", err)
	}
	if err := c.SetActiveModel(ctx, 1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write after an upgrading read-only open = %v, want ErrReadOnly", err)
	}
}
