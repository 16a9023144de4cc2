package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IngestedAt returns when image id was first stored (images.ingested_at).
func (c *Catalog) IngestedAt(ctx context.Context, id int64) (time.Time, error) {
	var at string
	err := c.read.QueryRowContext(ctx, `SELECT ingested_at FROM images WHERE id = ?`, id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("image %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(timeLayout, at)
	if err != nil {
		return time.Time{}, fmt.Errorf("image %d: ingested_at %q: %w", id, at, err)
	}
	return t, nil
}
