// Package catalog reads and writes pixplot's catalog file: one SQLite database
// holding images, metadata, tags, thumbnails, embeddings (one sqlite-vec table
// per model), ingest runs and plots. It is the only package that speaks SQL.
//
// Concurrency follows Datasette: a pool of read-only connections and a single
// writer connection. Every write transaction starts with BEGIN IMMEDIATE and
// every connection has a busy timeout, so a server and an ingest run working on
// the same file (two processes) wait for each other instead of failing with
// "database is locked". WAL mode lets readers run while a writer commits.
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	sqlite_vec "github.com/asg017/sqlite-vec-go-bindings/cgo"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/pixplot/pixplot"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrNotFound: the image, model, thumbnail, vector or setting asked for is not stored.
	ErrNotFound = errors.New("not found")
	// ErrReadOnly: a write was attempted on a catalog opened with Options.ReadOnly.
	ErrReadOnly = errors.New("catalog is open read-only")
	// ErrNewerSchema: the file was written by a newer pixplot.
	ErrNewerSchema = errors.New("catalog schema is newer than this pixplot")
	// ErrOlderSchema: the file needs an upgrade that a read-only open cannot make.
	ErrOlderSchema = errors.New("catalog schema is older than this pixplot")
	// ErrNotCatalog: the file is an SQLite database but not a pixplot catalog.
	ErrNotCatalog = errors.New("not a pixplot catalog")
	// ErrWrongDims: a vector's length differs from its model's dimensions.
	ErrWrongDims = errors.New("vector has the wrong number of dimensions")
	// ErrInvalid: a record or argument breaks a rule of the catalog (see the message).
	ErrInvalid = errors.New("invalid")
)

// DefaultBusyTimeout is how long a statement waits for a lock held by another
// connection or process before giving up. Ingest batches and plot writes commit
// in well under this.
const DefaultBusyTimeout = 60 * time.Second

// Per-connection cache and memory map. The notes measured vec0 KNN at 100k×768
// dropping from 170 ms (default 2 MB cache, no mmap) to 26 ms with these on.
// The map is kept at 256 MiB: mapped pages count in the process's resident
// memory, and a plot reads whole multi-GB catalogs (large catalogs search
// through the in-memory index, not vec0).
const (
	cacheSizeKiB = 64 << 10
	mmapBytes    = 256 << 20
)

// driverName is the database/sql driver registered with the per-connection setup.
const driverName = "sqlite3_pixplot"

var registerOnce sync.Once

// register loads sqlite-vec into every future SQLite connection of this process
// and registers the driver whose connections get pixplot's pragmas and functions.
func register() {
	registerOnce.Do(func() {
		sqlite_vec.Auto()
		sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: setupConnection})
	})
}

func setupConnection(conn *sqlite3.SQLiteConn) error {
	pragmas := fmt.Sprintf("PRAGMA cache_size = -%d; PRAGMA mmap_size = %d; PRAGMA temp_store = MEMORY;",
		cacheSizeKiB, int64(mmapBytes))
	if _, err := conn.Exec(pragmas, nil); err != nil {
		return err
	}
	return conn.RegisterFunc("has_tag", hasTag, true)
}

// Options configure Open.
type Options struct {
	// ReadOnly opens an existing catalog for reading only: no schema is applied
	// and every write method returns ErrReadOnly.
	ReadOnly bool
	// Upgrade, with ReadOnly, first brings a file of an older schema up to
	// date through a short writable open, instead of refusing it
	// (ErrOlderSchema).
	Upgrade bool
	// BusyTimeout overrides DefaultBusyTimeout.
	BusyTimeout time.Duration
}

// Catalog is an open catalog file. It is safe for concurrent use.
type Catalog struct {
	path    string
	read    *sql.DB // read-only pool
	write   *sql.DB // the single writer connection; nil when read-only
	similar *similarIndexes
}

// Open opens the catalog at path, creating it (and applying the schema) unless
// opt.ReadOnly. It refuses files written by a newer pixplot (ErrNewerSchema) and
// SQLite files that are not catalogs (ErrNotCatalog).
func Open(path string, opt Options) (*Catalog, error) {
	register()
	if opt.ReadOnly && opt.Upgrade {
		return openUpgraded(path, opt)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	busy := opt.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	c := &Catalog{path: abs, similar: newSimilarIndexes()}
	if opt.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("open catalog %s: %w", path, err)
		}
	} else {
		if c.write, err = openPool(abs, busy, false, 1); err != nil {
			return nil, fmt.Errorf("open catalog %s: %w", path, err)
		}
		if err := c.applySchema(context.Background()); err != nil {
			c.write.Close()
			return nil, fmt.Errorf("open catalog %s: %w", path, err)
		}
	}
	if c.read, err = openPool(abs, busy, true, max(4, runtime.NumCPU())); err != nil {
		c.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if opt.ReadOnly {
		if err := checkVersion(context.Background(), c.read); err != nil {
			c.Close()
			return nil, fmt.Errorf("open catalog %s: %w", path, err)
		}
	}
	return c, nil
}

// openPool opens a pool of connections to the file. Writers get BEGIN IMMEDIATE
// transactions and set WAL mode; readers open the file with mode=ro.
func openPool(abs string, busy time.Duration, readOnly bool, conns int) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_txlock", "immediate")
	}
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Path is the absolute path of the catalog file.
func (c *Catalog) Path() string { return c.path }

// Close closes all connections. Readers close first so that the writer is the
// last connection of this process: unless another process still has the file
// open, it checkpoints the WAL into the file and removes it, leaving one
// self-contained file to copy.
func (c *Catalog) Close() error {
	c.similar.close()
	var errs []error
	if c.read != nil {
		errs = append(errs, c.read.Close())
	}
	if c.write != nil {
		_, _ = c.write.Exec("PRAGMA optimize")
		errs = append(errs, c.write.Close())
	}
	return errors.Join(errs...)
}

// applySchema runs schema.sql and records the schema version, in one transaction.
func (c *Catalog) applySchema(ctx context.Context) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		version, err := storedVersion(ctx, tx)
		switch {
		case errors.Is(err, ErrNotFound):
			var objects int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&objects); err != nil {
				return err
			}
			if objects > 0 {
				return fmt.Errorf("%w: the file has tables but no settings.schema_version", ErrNotCatalog)
			}
		case err != nil:
			return err
		default:
			if err := supported(version); err != nil {
				return err
			}
			if err := migrate(ctx, tx, version); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, pixplot.Schema); err != nil {
			return fmt.Errorf("apply schema: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES
			('schema_version', ?), ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
			ON CONFLICT(key) DO NOTHING`, strconv.Itoa(pixplot.SchemaVersion))
		return err
	})
}

// migrate runs the migrations from version+1 up to pixplot.SchemaVersion in
// tx, so a file is either wholly upgraded or left as it was.
func migrate(ctx context.Context, tx *sql.Tx, version int) error {
	for v := version + 1; v <= pixplot.SchemaVersion; v++ {
		name, script, err := migration(v)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, script); err != nil {
			return fmt.Errorf("upgrade the catalog to schema version %d (%s): %w", v, name, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE settings SET value = ? WHERE key = 'schema_version'`, strconv.Itoa(v)); err != nil {
			return err
		}
	}
	return nil
}

// migration returns the file migrations/NNN_*.sql for version NNN.
func migration(version int) (name, script string, err error) {
	names, err := fs.Glob(pixplot.Migrations, fmt.Sprintf("migrations/%03d_*.sql", version))
	if err != nil || len(names) != 1 {
		return "", "", fmt.Errorf("pixplot is built with %d migrations to schema version %d, want 1", len(names), version)
	}
	data, err := fs.ReadFile(pixplot.Migrations, names[0])
	return names[0], string(data), err
}

// openUpgraded opens path read-only after upgrading it if its schema is older.
func openUpgraded(path string, opt Options) (*Catalog, error) {
	opt.Upgrade = false
	c, err := Open(path, opt)
	if !errors.Is(err, ErrOlderSchema) {
		return c, err
	}
	w, err := Open(path, Options{BusyTimeout: opt.BusyTimeout})
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return Open(path, opt)
}

// checkVersion verifies a catalog opened read-only, which cannot be upgraded.
func checkVersion(ctx context.Context, db *sql.DB) error {
	version, err := storedVersion(ctx, db)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: no settings.schema_version", ErrNotCatalog)
	}
	if err != nil {
		return err
	}
	if err := supported(version); err != nil {
		return err
	}
	if version < pixplot.SchemaVersion {
		return fmt.Errorf("%w: the file has schema version %d and this pixplot needs %d; open it once with write access to upgrade it (every pixplot command but `serve --read-only` does)",
			ErrOlderSchema, version, pixplot.SchemaVersion)
	}
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// storedVersion reads settings.schema_version; ErrNotFound when the file has none.
func storedVersion(ctx context.Context, q queryer) (int, error) {
	var hasSettings bool
	err := q.QueryRowContext(ctx,
		`SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'settings'`).Scan(&hasSettings)
	if err != nil {
		return 0, err
	}
	if !hasSettings {
		return 0, ErrNotFound
	}
	var text string
	err = q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'schema_version'`).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	version, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("%w: settings.schema_version is %q", ErrNotCatalog, text)
	}
	return version, nil
}

func supported(version int) error {
	switch {
	case version > pixplot.SchemaVersion:
		return fmt.Errorf("%w: the file has schema version %d, this pixplot knows up to %d; use a newer pixplot",
			ErrNewerSchema, version, pixplot.SchemaVersion)
	case version < 1:
		return fmt.Errorf("%w: settings.schema_version is %d", ErrNotCatalog, version)
	}
	return nil
}

// inTx runs fn in one write transaction (BEGIN IMMEDIATE on the single writer
// connection) and commits it, or rolls everything back when fn fails.
func (c *Catalog) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if c.write == nil {
		return ErrReadOnly
	}
	tx, err := c.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
