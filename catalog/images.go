package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pixplot/pixplot"
)

// PutImages stores a batch of images in ONE transaction: each image row
// (upserted by Source, so a re-ingested image keeps its id), its tags, search
// row, thumbnails, and its vector for model modelID in both `embeddings` and the
// model's vec0 table. Stored problems for the images' paths are cleared.
//
// The batch is all or nothing. Records are validated before anything is written;
// the first bad one (wrong vector dimensions, bad metadata, a Source twice) is
// returned as *ImageError naming it, and nothing of the batch is stored: retry
// without that record. A process killed mid-batch leaves the file as it was
// before the batch. modelID may be 0 when no record has a Vector.
func (c *Catalog) PutImages(ctx context.Context, modelID int64, recs []ImageRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var model *pixplot.Model
	if modelID != 0 {
		m, err := c.Model(ctx, modelID)
		if err != nil {
			return err
		}
		model = &m
	}
	clean, err := prepareRecords(recs, model)
	if err != nil {
		return err
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		b, err := newBatch(ctx, tx)
		if err != nil {
			return err
		}
		defer b.close()
		allModels, err := queryInts(ctx, tx, `SELECT id FROM models`)
		if err != nil {
			return err
		}
		for _, rec := range clean {
			if err := b.putImage(rec, model, allModels); err != nil {
				return &ImageError{Source: rec.Image.Source, Err: err}
			}
		}
		return b.finish()
	})
}

// prepareRecords validates records and returns copies with normalised metadata
// and unit vectors.
func prepareRecords(recs []ImageRecord, model *pixplot.Model) ([]ImageRecord, error) {
	clean := make([]ImageRecord, len(recs))
	sources := make(map[string]bool, len(recs))
	for i, rec := range recs {
		bad := func(err error) error { return &ImageError{Source: rec.Image.Source, Err: err} }
		if err := validateImage(rec.Image); err != nil {
			return nil, bad(err)
		}
		if sources[rec.Image.Source] {
			return nil, bad(fmt.Errorf("%w: the batch has this source twice", ErrInvalid))
		}
		sources[rec.Image.Source] = true
		if err := validateThumbs(rec.Thumbs); err != nil {
			return nil, bad(err)
		}
		meta, err := normalizeMetadata(rec.Image.Meta)
		if err != nil {
			return nil, bad(err)
		}
		clean[i] = rec
		clean[i].Image.Meta = meta
		if rec.Vector == nil {
			continue
		}
		if model == nil {
			return nil, bad(fmt.Errorf("%w: a vector without a model (modelID 0)", ErrInvalid))
		}
		if clean[i].Vector, err = unitVector(rec.Vector, model.Dims); err != nil {
			return nil, bad(fmt.Errorf("model %s: %w", model.Name, err))
		}
	}
	return clean, nil
}

// UpdateMetadata replaces the metadata of stored image id (metadata columns,
// extra, tags, search row) without touching its file data, thumbnails or vectors.
func (c *Catalog) UpdateMetadata(ctx context.Context, id int64, meta pixplot.Metadata) error {
	meta, err := normalizeMetadata(meta)
	if err != nil {
		return fmt.Errorf("image %d: %w", id, err)
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		b, err := newBatch(ctx, tx)
		if err != nil {
			return err
		}
		defer b.close()
		var filename string
		args := append(metadataArgs(meta), id)
		err = b.queryRow(`UPDATE images SET `+metadataSet+` WHERE id = ? RETURNING filename`, args...).Scan(&filename)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("image %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := b.setMetadata(id, filename, meta); err != nil {
			return err
		}
		return b.finish()
	})
}

// TouchImage records a new modification time for an image whose bytes did not
// change, so the next ingest skips it without hashing.
func (c *Catalog) TouchImage(ctx context.Context, id int64, mtimeNS int64) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE images SET mtime_ns = ? WHERE id = ?`, mtimeNS, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("image %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// KnownImage is what re-ingest needs to know about a stored image to skip it.
type KnownImage struct {
	ID      int64
	SHA256  string
	Bytes   int64
	ModTime int64 // unix ns when it was read
	// HasVector: a vector for the model Known was asked about is stored.
	HasVector bool
	// HasThumbs: all three thumbnail sizes are stored.
	HasThumbs bool
	// MetaDigest is MetadataDigest of the stored metadata.
	MetaDigest string
}

// Known returns every stored image keyed by source, with whether it has a
// vector for model modelID.
func (c *Catalog) Known(ctx context.Context, modelID int64) (map[string]KnownImage, error) {
	rows, err := c.read.QueryContext(ctx, `
		SELECT i.id, i.source, i.sha256, i.byte_size, i.mtime_ns,
		       EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = ? AND e.image_id = i.id),
		       (SELECT count(*) FROM thumbnails t WHERE t.image_id = i.id) = 3,
		       `+storedMetadataColumns+`
		  FROM images i`, modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	known := map[string]KnownImage{}
	for rows.Next() {
		var k KnownImage
		var source string
		var meta storedMetadata
		dest := append([]any{&k.ID, &source, &k.SHA256, &k.Bytes, &k.ModTime, &k.HasVector, &k.HasThumbs}, meta.dest()...)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		m, err := meta.metadata()
		if err != nil {
			return nil, fmt.Errorf("image %d: %w", k.ID, err)
		}
		k.MetaDigest = MetadataDigest(m)
		known[source] = k
	}
	return known, rows.Err()
}

// Prune removes the images with these sources and everything stored per image:
// tags links (and tags left unused), thumbnails, search rows and vectors of
// every model. Plots, runs and ingest problems are kept. It returns how many
// images were removed.
func (c *Catalog) Prune(ctx context.Context, sources []string) (int, error) {
	if len(sources) == 0 {
		return 0, nil
	}
	list, err := json.Marshal(sources)
	if err != nil {
		return 0, err
	}
	var removed int
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		b, err := newBatch(ctx, tx)
		if err != nil {
			return err
		}
		defer b.close()
		ids, err := queryInts(ctx, tx, `SELECT id FROM images WHERE source IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		models, err := queryInts(ctx, tx, `SELECT id FROM models`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := b.removeImage(id, models); err != nil {
				return fmt.Errorf("image %d: %w", id, err)
			}
		}
		removed = len(ids)
		return b.finish()
	})
	return removed, err
}

// removeImage deletes one image; foreign keys cascade to thumbnails, image_tags
// and embeddings, the rest (vec0 and search rows) is deleted here.
func (b *batch) removeImage(id int64, models []int64) error {
	if err := b.setTags(id, nil); err != nil { // records its tags for finish
		return err
	}
	if err := b.deleteVectors(id, models); err != nil {
		return err
	}
	if err := b.exec(`DELETE FROM image_search WHERE rowid = ?`, id); err != nil {
		return err
	}
	return b.exec(`DELETE FROM images WHERE id = ?`, id)
}
