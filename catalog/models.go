package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/pixplot/pixplot"
)

// vecTable is the sqlite-vec table holding model id's vectors.
func vecTable(modelID int64) string { return fmt.Sprintf("vec_model_%d", modelID) }

// EnsureModel returns the stored model with m's file hash, output and
// preprocessing, inserting it (and creating its vector table) when new. A model
// stored with other dimensions is an error. The returned model has its ID set
// and keeps m.File.
func (c *Catalog) EnsureModel(ctx context.Context, m pixplot.Model) (pixplot.Model, error) {
	if m.Name == "" || m.SHA256 == "" || m.Output == "" {
		return m, fmt.Errorf("%w: model needs a name, file sha256 and output (got %q, %q, %q)", ErrInvalid, m.Name, m.SHA256, m.Output)
	}
	if m.Dims < 1 || m.Dims > maxDims {
		return m, fmt.Errorf("%w: model %s has %d dims (1 to %d allowed)", ErrInvalid, m.Name, m.Dims, maxDims)
	}
	preprocess, err := json.Marshal(m.Preprocess)
	if err != nil {
		return m, err
	}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		var dims int
		err := tx.QueryRowContext(ctx, `SELECT id, dims FROM models WHERE file_sha256 = ? AND output = ? AND preprocess = ?`,
			m.SHA256, m.Output, string(preprocess)).Scan(&m.ID, &dims)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM models`).Scan(&m.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO models(id, name, file_sha256, output, dims, preprocess, vector_table)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ID, m.Name, m.SHA256, m.Output, m.Dims, string(preprocess), vecTable(m.ID))
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case dims != m.Dims:
			return fmt.Errorf("%w: model %s (output %s) is stored with %d dims, not %d", ErrWrongDims, m.Name, m.Output, dims, m.Dims)
		}
		// IF NOT EXISTS: also restores a vec table lost from an older file.
		_, err = tx.ExecContext(ctx, fmt.Sprintf(
			`CREATE VIRTUAL TABLE IF NOT EXISTS %s USING vec0(image_id INTEGER PRIMARY KEY, embedding float[%d])`,
			vecTable(m.ID), m.Dims))
		return err
	})
	if err != nil {
		return m, fmt.Errorf("ensure model %s: %w", m.Name, err)
	}
	return m, nil
}

const modelColumns = `id, name, file_sha256, output, dims, preprocess`

func scanModel(row interface{ Scan(...any) error }) (pixplot.Model, error) {
	var m pixplot.Model
	var preprocess string
	if err := row.Scan(&m.ID, &m.Name, &m.SHA256, &m.Output, &m.Dims, &preprocess); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(preprocess), &m.Preprocess); err != nil {
		return m, fmt.Errorf("model %d: preprocess %q: %w", m.ID, preprocess, err)
	}
	return m, nil
}

// Models lists the stored models, oldest first.
func (c *Catalog) Models(ctx context.Context) ([]pixplot.Model, error) {
	rows, err := c.read.QueryContext(ctx, `SELECT `+modelColumns+` FROM models ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var models []pixplot.Model
	for rows.Next() {
		m, err := scanModel(rows)
		if err != nil {
			return nil, err
		}
		models = append(models, m)
	}
	return models, rows.Err()
}

// Model returns the stored model with this id.
func (c *Catalog) Model(ctx context.Context, id int64) (pixplot.Model, error) {
	return modelByID(ctx, c.read, id)
}

func modelByID(ctx context.Context, q queryer, id int64) (pixplot.Model, error) {
	m, err := scanModel(q.QueryRowContext(ctx, `SELECT `+modelColumns+` FROM models WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("model %d: %w", id, ErrNotFound)
	}
	return m, err
}

// ActiveModel is the model similar-image search and plots use by default
// (settings.active_model); ErrNotFound before the first ingest sets one.
func (c *Catalog) ActiveModel(ctx context.Context) (pixplot.Model, error) {
	var text string
	err := c.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'active_model'`).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return pixplot.Model{}, fmt.Errorf("active model: %w (no images have been embedded yet)", ErrNotFound)
	}
	if err != nil {
		return pixplot.Model{}, err
	}
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return pixplot.Model{}, fmt.Errorf("settings.active_model is %q, not a model id", text)
	}
	return c.Model(ctx, id)
}

// SetActiveModel makes model id the default for search and plots.
func (c *Catalog) SetActiveModel(ctx context.Context, id int64) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := modelByID(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES ('active_model', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(id, 10))
		return err
	})
}
