// Package testkit gives tests real image collections to work on: category-balanced
// subsets of the samples (emoji, openclipart, photos), each a folder of images
// with a PixPlot metadata.csv.
//
// A subset is built once in the cache (registry.CacheDir) and shared
// by every test and package that asks for the same one, so the folders are
// read-only: a test that changes files must work on Writable's copy.
//
// When a sample cannot be fetched (npm or apt-get missing, registry unreachable)
// the test is skipped, except with CI=true, where it fails.
package testkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/pixplot/pixplot/registry"
	"github.com/pixplot/pixplot/samples"
)

// Seed is the samples seed every testkit subset is drawn with.
const Seed = 1

// Emoji returns a folder of n base emoji (64×64 PNG) spread evenly over the 10
// emoji categories, with metadata.csv; n <= 0 gives all 1,911.
func Emoji(t testing.TB, n int) string {
	t.Helper()
	return subset(t, samples.Emoji, n)
}

// Openclipart returns a folder of n clip-art PNGs spread evenly over the 22
// openclipart categories (in category sub-folders), with metadata.csv; n <= 0
// gives all 6,900.
func Openclipart(t testing.TB, n int) string {
	t.Helper()
	return subset(t, samples.Openclipart, n)
}

// Photos returns the 14 real photos of the photos sample (11 PNG, 3 JPEG, a
// near-duplicate pair motorcycle_left/right.png), with metadata.csv.
func Photos(t testing.TB) string {
	t.Helper()
	return subset(t, samples.Photos, 0)
}

// Writable copies a testkit folder into a fresh t.TempDir() and returns the copy.
func Writable(t testing.TB, dir string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return copyFile(path, filepath.Join(dst, rel))
	})
	if err != nil {
		t.Fatalf("testkit: copy %s: %v", dir, err)
	}
	return dst
}

// subset returns the cached folder of the named sample's n-image subset, building it first if needed.
func subset(t testing.TB, name string, n int) string {
	t.Helper()
	size := "all"
	if n > 0 {
		size = fmt.Sprint(n)
	}
	dir := filepath.Join(registry.CacheDir(), "testkit", fmt.Sprintf("%s-%s-seed%d.v%d", name, size, Seed, samples.FormatVersion))
	if complete(dir) {
		return dir
	}
	sum, err := samples.Fetch(context.Background(), name, dir, samples.Options{Limit: n, Seed: Seed})
	switch {
	case err == nil:
		t.Logf("testkit: built %s (%d images)", dir, sum.Images)
	case complete(dir):
		// Another test process built it meanwhile.
	case errors.Is(err, samples.ErrToolMissing) || errors.Is(err, samples.ErrDownload):
		if os.Getenv("CI") == "true" {
			t.Fatalf("testkit: the %s sample must be available on CI: %v", name, err)
		}
		t.Skipf("testkit: %s sample unavailable: %v", name, err)
	default:
		t.Fatalf("testkit: %v", err)
	}
	return dir
}

// complete reports whether a subset folder exists; samples.Fetch makes it appear
// only when its images and metadata.csv are all written.
func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, samples.MetadataFile))
	return err == nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
