package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// timeLayout is how the schema's strftime('%Y-%m-%dT%H:%M:%fZ') timestamps read.
const timeLayout = "2006-01-02T15:04:05.000Z"

// StartRun records the start of an ingest run and returns its id. metadata is
// the metadata file argument ("" for none); modelID 0 means no model.
func (c *Catalog) StartRun(ctx context.Context, spec, metadata string, modelID int64) (int64, error) {
	var id int64
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		var model any
		if modelID != 0 {
			model = modelID
		}
		return tx.QueryRowContext(ctx, `INSERT INTO ingest_runs(spec, metadata, model_id) VALUES (?, ?, ?) RETURNING id`,
			spec, nullIfEmpty(metadata), model).Scan(&id)
	})
	return id, err
}

// FinishRun records the end of run runID with summary (stored as JSON).
func (c *Catalog) FinishRun(ctx context.Context, runID int64, summary any) error {
	b, err := json.Marshal(summary)
	if err != nil {
		return fmt.Errorf("run %d summary: %w", runID, err)
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ingest_runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
			summary = ? WHERE id = ?`, string(b), runID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("run %d: %w", runID, ErrNotFound)
		}
		return nil
	})
}

// RecordError stores a problem met while ingesting path, replacing an earlier
// problem of the same path and stage so the table lists what is still wrong.
// runID 0 means outside a run.
func (c *Catalog) RecordError(ctx context.Context, runID int64, path, stage, message string) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		var run any
		if runID != 0 {
			run = runID
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ingest_errors WHERE path = ? AND stage = ?`, path, stage); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ingest_errors(run_id, path, stage, message) VALUES (?, ?, ?, ?)`,
			run, path, stage, message)
		return err
	})
}

// IngestError is one stored ingest problem.
type IngestError struct {
	ID      int64     `json:"id"`
	RunID   int64     `json:"run_id"` // 0 when outside a run
	Path    string    `json:"path"`
	Stage   string    `json:"stage"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// Errors returns up to limit stored problems, newest first (limit <= 0: all).
func (c *Catalog) Errors(ctx context.Context, limit int) ([]IngestError, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := c.read.QueryContext(ctx, `SELECT id, coalesce(run_id, 0), path, stage, message, at
		FROM ingest_errors ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IngestError
	for rows.Next() {
		var e IngestError
		var at string
		if err := rows.Scan(&e.ID, &e.RunID, &e.Path, &e.Stage, &e.Message, &at); err != nil {
			return nil, err
		}
		if e.At, err = time.Parse(timeLayout, at); err != nil {
			return nil, fmt.Errorf("ingest error %d: time %q: %w", e.ID, at, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
