package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/pixplot/pixplot"
)

// ImageRecord is one image as PutImages stores it.
type ImageRecord struct {
	Image pixplot.Image // keyed by Source; Image.ID is ignored
	// Thumbs replace all stored thumbnails of the image; nil keeps the stored
	// ones (unless the image's bytes changed, which drops them).
	Thumbs []pixplot.Thumbnail
	// Vector is the image's embedding for the batch's model; nil keeps the stored
	// one (unless the image's bytes changed). It is L2-normalised before storing.
	Vector []float32
}

// ImageError is a record that could not be stored; PutImages stored nothing
// of its batch. Retry the batch without Source to store the others.
type ImageError struct {
	Source string
	Err    error
}

func (e *ImageError) Error() string { return fmt.Sprintf("image %s: %v", e.Source, e.Err) }
func (e *ImageError) Unwrap() error { return e.Err }

// validateImage checks the fields the images table requires.
func validateImage(img pixplot.Image) error {
	switch {
	case img.Source == "":
		return fmt.Errorf("%w: empty source", ErrInvalid)
	case img.Path == "":
		return fmt.Errorf("%w: empty path", ErrInvalid)
	case img.Filename == "":
		return fmt.Errorf("%w: empty filename", ErrInvalid)
	case !isSHA256Hex(img.SHA256):
		return fmt.Errorf("%w: sha256 %q is not 64 lower-case hex digits", ErrInvalid, img.SHA256)
	case img.Bytes < 0:
		return fmt.Errorf("%w: byte size %d", ErrInvalid, img.Bytes)
	case img.Width <= 0 || img.Height <= 0:
		return fmt.Errorf("%w: size %dx%d", ErrInvalid, img.Width, img.Height)
	case img.Format == "":
		return fmt.Errorf("%w: empty format", ErrInvalid)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// validateThumbs checks sizes are known and distinct and the JPEGs non-empty.
func validateThumbs(thumbs []pixplot.Thumbnail) error {
	seen := map[string]bool{}
	for _, t := range thumbs {
		switch t.Size {
		case pixplot.ThumbCell, pixplot.ThumbLOD, pixplot.ThumbPreview:
		default:
			return fmt.Errorf("%w: thumbnail size %q (want cell, lod or preview)", ErrInvalid, t.Size)
		}
		if seen[t.Size] {
			return fmt.Errorf("%w: two %s thumbnails", ErrInvalid, t.Size)
		}
		seen[t.Size] = true
		if t.Width <= 0 || t.Height <= 0 || len(t.JPEG) == 0 {
			return fmt.Errorf("%w: %s thumbnail is %dx%d with %d bytes", ErrInvalid, t.Size, t.Width, t.Height, len(t.JPEG))
		}
	}
	return nil
}

// normalizeMetadata is the form metadata is stored in: strings trimmed, empty
// strings and extra values dropped, tags trimmed and deduplicated (case kept)
// in sorted order. It rejects coordinates out of range and non-finite numbers.
func normalizeMetadata(m pixplot.Metadata) (pixplot.Metadata, error) {
	n := pixplot.Metadata{
		Category:    strings.TrimSpace(m.Category),
		Description: strings.TrimSpace(m.Description),
		Permalink:   strings.TrimSpace(m.Permalink),
		Label:       strings.TrimSpace(m.Label),
		Year:        m.Year,
		Lat:         m.Lat, Lng: m.Lng, X: m.X, Y: m.Y,
		Tags: normalizeTags(m.Tags),
	}
	for name, v := range map[string]*float64{"lat": m.Lat, "lng": m.Lng, "x": m.X, "y": m.Y} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			return n, fmt.Errorf("%w: %s is %v", ErrInvalid, name, *v)
		}
	}
	if m.Lat != nil && (*m.Lat < -90 || *m.Lat > 90) {
		return n, fmt.Errorf("%w: lat %v is outside [-90, 90]", ErrInvalid, *m.Lat)
	}
	if m.Lng != nil && (*m.Lng < -180 || *m.Lng > 180) {
		return n, fmt.Errorf("%w: lng %v is outside [-180, 180]", ErrInvalid, *m.Lng)
	}
	for name, value := range m.Extra {
		if strings.TrimSpace(name) == "" {
			return n, fmt.Errorf("%w: extra metadata column with an empty name", ErrInvalid)
		}
		if strings.ContainsFunc(name, unicode.IsControl) {
			return n, fmt.Errorf("%w: extra metadata column name %q has control characters", ErrInvalid, name)
		}
		if value = strings.TrimSpace(value); value != "" {
			if n.Extra == nil {
				n.Extra = map[string]string{}
			}
			n.Extra[name] = value
		}
	}
	return n, nil
}

// normalizeTags trims tags, drops empty ones and duplicates (case kept), and sorts them.
func normalizeTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MetadataDigest fingerprints metadata as the catalog stores it, so ingest can
// compare a metadata row with KnownImage.MetaDigest and call UpdateMetadata only
// when something changed. Invalid metadata digests to "".
func MetadataDigest(m pixplot.Metadata) string {
	n, err := normalizeMetadata(m)
	if err != nil {
		return ""
	}
	b, err := json.Marshal(n) // struct fields in order, map keys sorted
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// extraJSON is the images.extra value of normalised metadata.
func extraJSON(extra map[string]string) string {
	if len(extra) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(extra) // a map of strings always marshals
	return string(b)
}

// hasTag implements the SQL function has_tag(tags, name): tags is the catalog
// view's JSON array of tag names.
func hasTag(tagsJSON, name string) (bool, error) {
	var tags []string
	if err := json.Unmarshal([]byte(tagsJSON), &tags); err != nil {
		return false, fmt.Errorf("has_tag(tags, name): tags must be the catalog view's tags column (a JSON array): %v", err)
	}
	return slices.Contains(tags, name), nil
}
