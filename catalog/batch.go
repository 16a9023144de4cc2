package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/pixplot/pixplot"
)

// batch writes images inside one write transaction. It prepares each statement
// once per transaction and defers the work that concerns the whole batch
// (dropping unused tags, rebuilding the catalog view) to finish.
type batch struct {
	ctx      context.Context
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	tagIDs   map[string]int64
	detached map[int64]bool  // tag ids taken off an image; dropped in finish if unused
	extras   map[string]bool // names in extra_columns
	newExtra bool
	vectors  bool // stored vectors were written or deleted: bump vectors_generation
}

func newBatch(ctx context.Context, tx *sql.Tx) (*batch, error) {
	b := &batch{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, tagIDs: map[string]int64{},
		detached: map[int64]bool{}, extras: map[string]bool{}}
	names, err := queryStrings(ctx, tx, `SELECT name FROM extra_columns`)
	for _, n := range names {
		b.extras[n] = true
	}
	return b, err
}

func (b *batch) stmt(query string) (*sql.Stmt, error) {
	if s, ok := b.stmts[query]; ok {
		return s, nil
	}
	s, err := b.tx.PrepareContext(b.ctx, query)
	if err != nil {
		return nil, err
	}
	b.stmts[query] = s
	return s, nil
}

func (b *batch) exec(query string, args ...any) error {
	s, err := b.stmt(query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(b.ctx, args...)
	return err
}

func (b *batch) queryRow(query string, args ...any) *sql.Row {
	s, err := b.stmt(query)
	if err != nil {
		// A Row cannot carry a prepare error; run it unprepared to surface it.
		return b.tx.QueryRowContext(b.ctx, query, args...)
	}
	return s.QueryRowContext(b.ctx, args...)
}

func (b *batch) close() {
	for _, s := range b.stmts {
		s.Close()
	}
}

// metadataArgs are the images columns category … extra, in that order.
func metadataArgs(m pixplot.Metadata) []any {
	return []any{nullIfEmpty(m.Category), nullIfEmpty(m.Description), nullIfEmpty(m.Permalink),
		nullInt(m.Year), nullIfEmpty(m.Label), nullFloat(m.Lat), nullFloat(m.Lng),
		nullFloat(m.X), nullFloat(m.Y), extraJSON(m.Extra)}
}

const metadataSet = `category = ?, description = ?, permalink = ?, year = ?, label = ?,
	lat = ?, lng = ?, x = ?, y = ?, extra = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`

// upsertImage inserts or updates the images row of img (metadata normalised),
// keyed by source. It returns the id and whether the stored bytes changed.
func (b *batch) upsertImage(img pixplot.Image) (id int64, replaced bool, err error) {
	var oldSHA string
	err = b.queryRow(`SELECT id, sha256 FROM images WHERE source = ?`, img.Source).Scan(&id, &oldSHA)
	file := []any{img.Path, img.Filename, img.SHA256, img.Bytes, img.ModTime, img.Width, img.Height, img.Format}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		args := append(append([]any{img.Source}, file...), metadataArgs(img.Meta)...)
		err = b.queryRow(`INSERT INTO images(source, path, filename, sha256, byte_size, mtime_ns, width, height, format,
			category, description, permalink, year, label, lat, lng, x, y, extra)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
		return id, false, err
	case err != nil:
		return 0, false, err
	}
	args := append(append(file, metadataArgs(img.Meta)...), id)
	err = b.exec(`UPDATE images SET path = ?, filename = ?, sha256 = ?, byte_size = ?, mtime_ns = ?,
		width = ?, height = ?, format = ?, `+metadataSet+` WHERE id = ?`, args...)
	return id, oldSHA != img.SHA256, err
}

// putImage stores one validated record: image row, tags, search row, thumbnails
// and vector. When the image's bytes changed, stored thumbnails and the vectors
// of every model are dropped first: they show the old picture.
func (b *batch) putImage(rec ImageRecord, model *pixplot.Model, allModels []int64) error {
	img := rec.Image
	id, replaced, err := b.upsertImage(img)
	if err != nil {
		return err
	}
	if err := b.setMetadata(id, img.Filename, img.Meta); err != nil {
		return err
	}
	if replaced || len(rec.Thumbs) > 0 {
		if err := b.exec(`DELETE FROM thumbnails WHERE image_id = ?`, id); err != nil {
			return err
		}
	}
	for _, t := range rec.Thumbs {
		err := b.exec(`INSERT INTO thumbnails(image_id, size, width, height, jpeg) VALUES (?, ?, ?, ?, ?)`,
			id, t.Size, t.Width, t.Height, t.JPEG)
		if err != nil {
			return err
		}
	}
	if replaced {
		if err := b.deleteVectors(id, allModels); err != nil {
			return err
		}
	}
	if rec.Vector != nil {
		if err := b.putVector(model.ID, id, rec.Vector); err != nil {
			return err
		}
	}
	return b.exec(`DELETE FROM ingest_errors WHERE path IN (?, ?)`, img.Source, img.Path)
}

// putVector writes a unit vector to `embeddings` and the model's vec0 table.
// vec0 (v0.1.6) has no upsert: delete, then insert.
func (b *batch) putVector(modelID, imageID int64, unit []float32) error {
	b.vectors = true
	blob := encodeVector(unit)
	err := b.exec(`INSERT INTO embeddings(model_id, image_id, vector) VALUES (?, ?, ?)
		ON CONFLICT(model_id, image_id) DO UPDATE SET vector = excluded.vector`, modelID, imageID, blob)
	if err != nil {
		return err
	}
	if err := b.exec(`DELETE FROM `+vecTable(modelID)+` WHERE image_id = ?`, imageID); err != nil {
		return err
	}
	return b.exec(`INSERT INTO `+vecTable(modelID)+`(image_id, embedding) VALUES (?, ?)`, imageID, blob)
}

// deleteVectors removes an image's vectors of every model; vec0 tables have no
// foreign keys, so they are cleared by hand.
func (b *batch) deleteVectors(imageID int64, models []int64) error {
	b.vectors = true
	if err := b.exec(`DELETE FROM embeddings WHERE image_id = ?`, imageID); err != nil {
		return err
	}
	for _, m := range models {
		if err := b.exec(`DELETE FROM `+vecTable(m)+` WHERE image_id = ?`, imageID); err != nil {
			return err
		}
	}
	return nil
}

// setMetadata replaces the image's tags and search row and registers new extra
// columns. The metadata columns of images are written by the caller.
func (b *batch) setMetadata(id int64, filename string, m pixplot.Metadata) error {
	if err := b.setTags(id, m.Tags); err != nil {
		return err
	}
	if err := b.exec(`DELETE FROM image_search WHERE rowid = ?`, id); err != nil {
		return err
	}
	err := b.exec(`INSERT INTO image_search(rowid, filename, category, tags, description) VALUES (?, ?, ?, ?, ?)`,
		id, filename, m.Category, strings.Join(m.Tags, ", "), m.Description)
	if err != nil {
		return err
	}
	// Metadata.Extra is a map, so new names of one image are registered in name order.
	for _, name := range slices.Sorted(maps.Keys(m.Extra)) {
		if b.extras[name] {
			continue
		}
		err := b.exec(`INSERT INTO extra_columns(name, position)
			VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM extra_columns))`, name)
		if err != nil {
			return err
		}
		b.extras[name], b.newExtra = true, true
	}
	return nil
}

func (b *batch) setTags(imageID int64, tags []string) error {
	old, err := queryInts(b.ctx, b.tx, `SELECT tag_id FROM image_tags WHERE image_id = ?`, imageID)
	if err != nil {
		return err
	}
	for _, t := range old {
		b.detached[t] = true
	}
	if err := b.exec(`DELETE FROM image_tags WHERE image_id = ?`, imageID); err != nil {
		return err
	}
	for _, name := range tags {
		tagID, err := b.tagID(name)
		if err != nil {
			return err
		}
		if err := b.exec(`INSERT INTO image_tags(image_id, tag_id) VALUES (?, ?)`, imageID, tagID); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) tagID(name string) (int64, error) {
	if id, ok := b.tagIDs[name]; ok {
		return id, nil
	}
	if err := b.exec(`INSERT INTO tags(name) VALUES (?) ON CONFLICT(name) DO NOTHING`, name); err != nil {
		return 0, err
	}
	var id int64
	if err := b.queryRow(`SELECT id FROM tags WHERE name = ?`, name).Scan(&id); err != nil {
		return 0, err
	}
	b.tagIDs[name] = id
	return id, nil
}

// finish drops tags no image uses any more, rebuilds the catalog view when
// extra columns were added, and bumps settings.vectors_generation when
// vectors changed (similar-image search indexes watch it).
func (b *batch) finish() error {
	if b.vectors {
		_, err := b.tx.ExecContext(b.ctx, `INSERT INTO settings(key, value) VALUES ('vectors_generation', '1')
			ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`)
		if err != nil {
			return err
		}
	}
	if len(b.detached) > 0 {
		ids, _ := json.Marshal(slices.Collect(maps.Keys(b.detached)))
		_, err := b.tx.ExecContext(b.ctx, `DELETE FROM tags WHERE id IN (SELECT value FROM json_each(?))
			AND NOT EXISTS (SELECT 1 FROM image_tags WHERE tag_id = tags.id)`, string(ids))
		if err != nil {
			return err
		}
	}
	if b.newExtra {
		return rebuildCatalogView(b.ctx, b.tx)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	return queryColumn[string](ctx, q, query, args...)
}

func queryInts(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	return queryColumn[int64](ctx, q, query, args...)
}

func queryColumn[T any](ctx context.Context, q queryer, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
