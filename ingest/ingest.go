// Package ingest puts an image collection into a catalog: it discovers images
// (directory, glob, URL list, IIIF manifests), joins metadata rows to them,
// and runs a bounded pipeline — read and hash, decode, thumbnails and model
// tensor, batched inference, batched catalog writes — that skips what is
// already stored and reports per-file problems without stopping.
//
// Re-running is cheap and safe: an image whose size and modification time are
// unchanged and that has a vector for the model is not read at all; one whose
// bytes hash the same only gets its new modification time. Each catalog write
// stores whole images in one transaction, so a killed run leaves a consistent
// file and the next run completes it without duplicates.
//
// Metadata rows join images by path relative to the images root (or the
// absolute path or URL), else by base name when only one image has it. IIIF
// manifests give their images metadata of their own, which a row overrides
// field by field:
//
//	category     the manifest label (the object: a book, an album)
//	description  "<manifest label> — <canvas label>", then the manifest's
//	             summary (v3) / description (v2)
//	permalink    the manifest's homepage (v3) / related (v2), else its URL
//	year         navDate, else a "date"/"year"/"created" entry's four-digit year
//	extra        every label/value pair under its lower-cased label, and
//	             iiif_manifest, iiif_canvas, iiif_canvas_label, attribution, rights
//
// A IIIF image's filename is its identifier's last segment (not
// "default.jpg"); its path and source are the URL asked for, a rendition of at
// most RemoteOptions.IIIFMaxSide pixels where the image service can scale.
package ingest

import (
	"image"
	"io"
	"runtime"
	"time"

	"github.com/pixplot/pixplot"
)

// Embedder turns images into vectors with one model; *embed.Embedder is one.
// Tensorize is called from many goroutines, Run from one.
type Embedder interface {
	// Model describes the model (ID unset; Run stores it in the catalog).
	Model() pixplot.Model
	// Tensorize makes the model's input tensor for one image.
	Tensorize(img image.Image) []float32
	// Run embeds a batch of tensors: one L2-normalised vector per tensor.
	Run(tensors [][]float32) ([][]float32, error)
}

// Options configure Run.
type Options struct {
	Images   string // the images spec (see Discover)
	Metadata string // a CSV/TSV/JSON file, or a glob of JSON files (one object each); "" for none
	// Workers is how many images are read and decoded at once (default NumCPU).
	Workers int
	// BatchSize is how many tensors go to one Embedder.Run (default 16).
	BatchSize int
	// CommitEvery and CommitInterval bound a catalog write batch: it commits at
	// CommitEvery images (default 64) or CommitInterval after its first image
	// (default 2 s), whichever comes first.
	CommitEvery    int
	CommitInterval time.Duration
	// Prune removes from the catalog the images under this spec whose files are gone.
	Prune bool
	// MaxPixels refuses images with more pixels (default imagecodec.DefaultMaxPixels).
	MaxPixels int64
	// MaxFileBytes refuses larger local files without reading them (default 1 GiB).
	MaxFileBytes int64
	// Remote bounds downloads (client, timeout, size limits, IIIF size).
	Remote RemoteOptions
	// Progress receives progress lines (nil: none). IsTerminal makes it one
	// updating bar line; otherwise a plain line every ProgressInterval (default 5 s).
	Progress         io.Writer
	IsTerminal       bool
	ProgressInterval time.Duration
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 16
	}
	if o.CommitEvery <= 0 {
		o.CommitEvery = 64
	}
	if o.CommitInterval <= 0 {
		o.CommitInterval = 2 * time.Second
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 1 << 30
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 5 * time.Second
		if o.IsTerminal {
			o.ProgressInterval = 250 * time.Millisecond
		}
	}
	o.Remote = o.Remote.withDefaults()
	return o
}
