package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pixplot/pixplot"
)

// ModelInfo is a model and how many images have a vector for it.
type ModelInfo struct {
	Model   pixplot.Model `json:"model"`
	Vectors int64         `json:"vectors"`
	Active  bool          `json:"active"`
}

// Info summarises a catalog.
type Info struct {
	Path          string      `json:"path"`
	FileBytes     int64       `json:"file_bytes"` // the database file plus its WAL
	SchemaVersion int         `json:"schema_version"`
	Images        int64       `json:"images"`
	Tags          int64       `json:"tags"` // distinct tags in use
	Thumbnails    int64       `json:"thumbnails"`
	Plots         int64       `json:"plots"`
	Errors        int64       `json:"errors"` // stored ingest problems
	Models        []ModelInfo `json:"models"`
}

// Info counts what the catalog holds.
func (c *Catalog) Info(ctx context.Context) (Info, error) {
	info := Info{Path: c.path}
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(c.path + suffix); err == nil {
			info.FileBytes += st.Size()
		}
	}
	version, err := storedVersion(ctx, c.read)
	if err != nil {
		return info, err
	}
	info.SchemaVersion = version
	err = c.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM images), (SELECT count(*) FROM tags),
		(SELECT count(*) FROM thumbnails), (SELECT count(*) FROM plots), (SELECT count(*) FROM ingest_errors)`).
		Scan(&info.Images, &info.Tags, &info.Thumbnails, &info.Plots, &info.Errors)
	if err != nil {
		return info, err
	}
	models, err := c.Models(ctx)
	if err != nil {
		return info, err
	}
	active, err := c.ActiveModel(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return info, err
	}
	for _, m := range models {
		mi := ModelInfo{Model: m, Active: m.ID == active.ID}
		err := c.read.QueryRowContext(ctx, `SELECT count(*) FROM embeddings WHERE model_id = ?`, m.ID).Scan(&mi.Vectors)
		if err != nil {
			return info, err
		}
		info.Models = append(info.Models, mi)
	}
	return info, nil
}

// storedMetadataColumns read an image's metadata (alias i) into storedMetadata.
const storedMetadataColumns = `i.category, i.description, i.permalink, i.year, i.label,
	i.lat, i.lng, i.x, i.y, i.extra,
	(SELECT json_group_array(t.name) FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE it.image_id = i.id)`

type storedMetadata struct {
	category, description, permalink, label sql.NullString
	year                                    sql.NullInt64
	lat, lng, x, y                          sql.NullFloat64
	extra, tags                             string
}

func (s *storedMetadata) dest() []any {
	return []any{&s.category, &s.description, &s.permalink, &s.year, &s.label,
		&s.lat, &s.lng, &s.x, &s.y, &s.extra, &s.tags}
}

func (s *storedMetadata) metadata() (pixplot.Metadata, error) {
	m := pixplot.Metadata{Category: s.category.String, Description: s.description.String,
		Permalink: s.permalink.String, Label: s.label.String,
		Lat: floatPtr(s.lat), Lng: floatPtr(s.lng), X: floatPtr(s.x), Y: floatPtr(s.y)}
	if s.year.Valid {
		y := int(s.year.Int64)
		m.Year = &y
	}
	if err := json.Unmarshal([]byte(s.tags), &m.Tags); err != nil {
		return m, fmt.Errorf("tags: %w", err)
	}
	if err := json.Unmarshal([]byte(s.extra), &m.Extra); err != nil {
		return m, fmt.Errorf("extra %q: %w", s.extra, err)
	}
	return normalizeMetadata(m)
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

// Image returns stored image id with its metadata, tags (sorted) and extra columns.
func (c *Catalog) Image(ctx context.Context, id int64) (pixplot.Image, error) {
	var img pixplot.Image
	var meta storedMetadata
	var ingestedAt string
	dest := append([]any{&img.ID, &img.Source, &img.Path, &img.Filename, &img.SHA256, &img.Bytes,
		&img.ModTime, &img.Width, &img.Height, &img.Format, &ingestedAt}, meta.dest()...)
	err := c.read.QueryRowContext(ctx, `SELECT i.id, i.source, i.path, i.filename, i.sha256, i.byte_size,
		i.mtime_ns, i.width, i.height, i.format, i.ingested_at, `+storedMetadataColumns+` FROM images i WHERE i.id = ?`, id).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return img, fmt.Errorf("image %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return img, err
	}
	if img.Meta, err = meta.metadata(); err != nil {
		return img, fmt.Errorf("image %d: %w", id, err)
	}
	if img.IngestedAt, err = time.Parse(timeLayout, ingestedAt); err != nil {
		return img, fmt.Errorf("image %d: ingested_at %q: %w", id, ingestedAt, err)
	}
	return img, nil
}

// ImageIDsByFilename returns the ids of images with this base name, in id order.
func (c *Catalog) ImageIDsByFilename(ctx context.Context, name string) ([]int64, error) {
	return queryInts(ctx, c.read, `SELECT id FROM images WHERE filename = ? ORDER BY id`, name)
}

// ImageIDByPath returns the image whose path (relative to its ingest root) or
// source is p; a path match wins, then the lowest id.
func (c *Catalog) ImageIDByPath(ctx context.Context, p string) (int64, error) {
	var id int64
	err := c.read.QueryRowContext(ctx, `SELECT id FROM images WHERE path = ?1 OR source = ?1
		ORDER BY path = ?1 DESC, id LIMIT 1`, p).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("image path %s: %w", p, ErrNotFound)
	}
	return id, err
}

// Thumbnail returns image id's thumbnail of this size (pixplot.ThumbCell, …).
func (c *Catalog) Thumbnail(ctx context.Context, id int64, size string) (pixplot.Thumbnail, error) {
	t := pixplot.Thumbnail{Size: size}
	err := c.read.QueryRowContext(ctx, `SELECT width, height, jpeg FROM thumbnails WHERE image_id = ? AND size = ?`,
		id, size).Scan(&t.Width, &t.Height, &t.JPEG)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("image %d %s thumbnail: %w", id, size, ErrNotFound)
	}
	return t, err
}

// Columns lists the columns of the catalog view, which plot filters can use.
func (c *Catalog) Columns(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, c.read, `SELECT name FROM pragma_table_info('catalog')`)
}
