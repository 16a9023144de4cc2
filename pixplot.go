// Package pixplot holds the domain types shared by the catalog, ingest, plot and
// server packages, and the catalog schema they all agree on.
package pixplot

import (
	"embed"
	"time"
)

// Schema is schema.sql: the one definition of the catalog file's shape.
//
//go:embed schema.sql
var Schema string

// SchemaVersion is the version schema.sql describes (settings.schema_version).
const SchemaVersion = 2

// Migrations holds migrations/NNN_name.sql: migration NNN brings a file of
// schema version NNN-1 to version NNN. Files made by schema.sql are already at
// SchemaVersion and never run them.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Thumbnail sizes stored per image (thumbnails.size).
const (
	ThumbCell    = "cell"    // CellHeight px tall: atlas cells
	ThumbLOD     = "lod"     // LODHeight px tall: zoomed-in atlas tier
	ThumbPreview = "preview" // PreviewSide px on the long side: lightbox
)

// Default thumbnail geometry.
const (
	CellHeight  = 32
	LODHeight   = 128
	PreviewSide = 256
	// MaxThumbAspect caps width/height of cell and lod thumbnails; wider images
	// are fitted inside a MaxThumbAspect:1 box so one image cannot fill an atlas row.
	MaxThumbAspect = 8
)

// Metadata is what a metadata row says about an image. Pointer fields are nil
// when the row has no (valid) value.
type Metadata struct {
	Category    string
	Description string
	Permalink   string
	Label       string
	Year        *int
	Lat, Lng    *float64
	X, Y        *float64
	Tags        []string
	Extra       map[string]string // every other column, by lower-cased header
}

// Image is one catalogued picture.
type Image struct {
	ID       int64
	Source   string // absolute file path or URL the bytes came from
	Path     string // relative to the ingest root; metadata joins on it
	Filename string
	SHA256   string
	Bytes    int64
	ModTime  int64 // unix nanoseconds when read; 0 for URLs
	Width    int   // after EXIF orientation
	Height   int
	Format   string
	Meta     Metadata
	// IngestedAt is when the image was first stored; set by the catalog when it reads one.
	IngestedAt time.Time
}

// Thumbnail is one stored JPEG rendition of an image.
type Thumbnail struct {
	Size   string // ThumbCell, ThumbLOD or ThumbPreview
	Width  int
	Height int
	JPEG   []byte
}

// Preprocess says how a model wants its input tensor.
type Preprocess struct {
	Input  string `json:"input"`  // input tensor name
	Size   int    `json:"size"`   // square side in px (images are resized, not cropped)
	Layout string `json:"layout"` // "NHWC" or "NCHW"
	Scale  string `json:"scale"`  // "0,1", "-1,1" or "imagenet" (mean/std normalisation)
}

// Model identifies an embedding model: vectors of different models never mix.
type Model struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	File       string     `json:"-"`      // path of the .onnx file on this machine (not stored)
	SHA256     string     `json:"sha256"` // of the .onnx file
	Output     string     `json:"output"` // output tensor name
	Dims       int        `json:"dims"`
	Preprocess Preprocess `json:"preprocess"`
}

// Neighbor is one result of a similarity search.
type Neighbor struct {
	ID       int64   `json:"id"`
	Filename string  `json:"filename"`
	Distance float64 `json:"distance"` // cosine distance, 1 − cos(query, image): 0 is identical
}
