package catalog

import (
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pixplot/pixplot"
)

func TestOpen_ReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pixplot.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := testModel(t, c, 1, 8)
	v := randomUnit(newRand(1), 8)
	putAll(t, c, m.ID, []ImageRecord{testRecord(1, v)})
	if err := c.SetActiveModel(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ids, err := c.ImageIDsByFilename(ctx, "img0001.jpg")
	if err != nil || len(ids) != 1 {
		t.Fatalf("ImageIDsByFilename = %v, %v; want one id", ids, err)
	}
	img, err := c.Image(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if img.Source != "/data/img0001.jpg" || img.Meta.Category != "portraits" || *img.Meta.Year != 1901 ||
		!slices.Equal(img.Meta.Tags, []string{"archive", "box1"}) {
		t.Errorf("reopened image = %+v", img)
	}
	active, err := c.ActiveModel(ctx)
	if err != nil || active.ID != m.ID || active.Dims != 8 || active.Preprocess != m.Preprocess {
		t.Errorf("ActiveModel = %+v, %v; want %+v", active, err, m)
	}
	got, err := c.Vector(ctx, m.ID, ids[0])
	if err != nil || cosine(got, v) < 0.999999 {
		t.Errorf("Vector = %v, %v; want %v", got, err, v)
	}
}

func TestOpen_PathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my photos #1 ?%20")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "cat?alog.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, c, 0, []ImageRecord{{Image: testImage(1)}})
	c.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("catalog not written at %s: %v", path, err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if id, err := ro.ImageIDByPath(ctx, "/data/img0001.jpg"); err != nil || id != 1 {
		t.Errorf("ImageIDByPath(source) = %d, %v", id, err)
	}
}

// The schema the code applies is schema.sql, nothing more and nothing less.
func TestOpen_AppliesExactlySchemaSQL(t *testing.T) {
	c := openTemp(t)
	raw, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(pixplot.Schema); err != nil {
		t.Fatal(err)
	}
	master := func(q queryer) []string {
		rows, err := queryStrings(ctx, q, `SELECT type || ' ' || name || ' ' || tbl_name || ': ' || coalesce(sql, '')
			FROM sqlite_master ORDER BY type, name`)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	got, want := master(c.read), master(raw)
	if !slices.Equal(got, want) {
		t.Errorf("schema differs from schema.sql:\n got %q\nwant %q", got, want)
	}
	var version string
	if err := c.read.QueryRow(`SELECT value FROM settings WHERE key = 'schema_version'`).Scan(&version); err != nil || version != strconv.Itoa(pixplot.SchemaVersion) {
		t.Errorf("schema_version = %q, %v", version, err)
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pixplot.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.write.Exec(`UPDATE settings SET value = '99' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	c.Close()
	for _, opt := range []Options{{}, {ReadOnly: true}} {
		_, err = Open(path, opt)
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "schema version 99") {
			t.Errorf("Open(%+v) error = %v; want ErrNewerSchema naming version 99", opt, err)
		}
	}
}

func TestOpen_RefusesOtherSQLiteFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes(x)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNotCatalog) {
		t.Errorf("Open(foreign db) error = %v; want ErrNotCatalog", err)
	}
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o644)
	if _, err := Open(text, Options{}); err == nil || !strings.Contains(err.Error(), text) {
		t.Errorf("Open(text file) error = %v; want an error naming the file", err)
	}
}

func TestOpen_ReadOnlyReadsButRefusesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pixplot.db")
	if _, err := Open(path+".missing", Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only Open of a missing file = %v; want not-exist", err)
	}
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, c, 0, []ImageRecord{{Image: testImage(1)}})
	c.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if info, err := ro.Info(ctx); err != nil || info.Images != 1 {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if err := ro.PutImages(ctx, 0, []ImageRecord{{Image: testImage(2)}}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("PutImages on read-only = %v; want ErrReadOnly", err)
	}
}

// A viewer on another machine may only have Debian's sqlite3 (no sqlite-vec):
// every plain table, the catalog view and the full-text index must read there.
func TestFile_OpensInSqlite3CLIWithoutSqliteVec(t *testing.T) {
	cli := "/usr/bin/sqlite3"
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; CI must install the sqlite3 package", cli)
		}
		t.Skipf("%s is missing", cli)
	}
	path := filepath.Join(t.TempDir(), "pixplot.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := testModel(t, c, 1, 16)
	r := newRand(2)
	var recs []ImageRecord
	for i := range 5 {
		rec := testRecord(i, randomUnit(r, 16))
		rec.Image.Meta.Extra = map[string]string{"dpi": "300", "it's": "quoted"}
		recs = append(recs, rec)
	}
	putAll(t, c, m.ID, recs)
	c.Close()
	// Closing leaves one self-contained file: copy only it, as to another machine.
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s-wal is left after Close (err %v)", path, err)
	}
	copied := filepath.Join(t.TempDir(), "copy.db")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(copied, data, 0o644)

	out, err := exec.Command(cli, "-readonly", copied, `
		SELECT count(*) FROM images;
		SELECT count(*), sum(length(vector)) FROM embeddings;
		SELECT count(*) FROM thumbnails WHERE hex(substr(jpeg, 1, 2)) = 'FFD8';
		SELECT filename, tags, dpi, "it's" FROM catalog ORDER BY id LIMIT 1;
		SELECT rowid FROM image_search WHERE image_search MATCH 'portraits';
		PRAGMA integrity_check;`).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	want := "5\n5|320\n15\nimg0000.jpg|[\"archive\",\"box0\"]|300|quoted\n2\n5\nok\n"
	if string(out) != want {
		t.Errorf("sqlite3 printed\n%s\nwant\n%s", out, want)
	}
}
