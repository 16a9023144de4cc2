package samples

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pixplot/pixplot/registry"
)

// FormatVersion changes whenever the records a sample yields change. Caches
// derived from samples put it in their names, so stale copies are not reused.
const FormatVersion = 1

// source is one sample: the pinned package it comes from and how to unpack it.
type source struct {
	name    string
	pkg     string // package@version, for messages and the Summary
	license string
	// download puts the package file into dir (if it is not there) and returns its path.
	download func(ctx context.Context, dir string, opt Options) (string, error)
	// unpack writes the images of the package file under imagesDir and returns the
	// whole collection's records.
	unpack func(ctx context.Context, archive, imagesDir string, opt Options) ([]Record, error)
	// keep filters the catalog by Options (nil keeps all).
	keep func(Record, Options) bool
}

func lookup(name string) (source, bool) {
	switch name {
	case Emoji:
		return emojiSource, true
	case Openclipart:
		return openclipartSource, true
	case Photos:
		return photosSource, true
	}
	return source{}, false
}

// unpackedDir is a complete unpacked sample in the cache: catalog.json and images/.
type unpackedDir string

func (u unpackedDir) images() string { return filepath.Join(string(u), "images") }

func (u unpackedDir) readCatalog() ([]Record, error) {
	path := filepath.Join(string(u), "catalog.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("samples: read cached catalog: %w", err)
	}
	var records []Record
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, fmt.Errorf("samples: cached catalog %s is damaged (delete its folder to rebuild it): %w", path, err)
	}
	return records, nil
}

// prepare returns the sample's unpacked cache folder, downloading and unpacking the
// package first if the folder does not exist yet.
func prepare(ctx context.Context, src source, opt Options) (unpackedDir, error) {
	samplesDir := filepath.Join(opt.CacheDir, "samples")
	dir := filepath.Join(samplesDir, fmt.Sprintf("%s.v%d", registry.CacheName(src.pkg), FormatVersion))
	if _, err := os.Stat(filepath.Join(dir, "catalog.json")); err == nil {
		return unpackedDir(dir), nil
	}
	archive, err := src.download(ctx, filepath.Join(opt.CacheDir, "downloads"), opt)
	if err != nil {
		return "", fmt.Errorf("samples: %s: %w", src.name, err)
	}
	start := time.Now()
	opt.logf("%s: unpacking %s", src.name, filepath.Base(archive))
	err = publishDir(dir, func(tmp string) error {
		records, err := src.unpack(ctx, archive, filepath.Join(tmp, "images"), opt)
		if err != nil {
			return err
		}
		data, err := json.Marshal(records)
		if err != nil {
			return err
		}
		opt.logf("%s: unpacked %d images in %.1fs", src.name, len(records), time.Since(start).Seconds())
		return os.WriteFile(filepath.Join(tmp, "catalog.json"), data, 0o644)
	})
	if err != nil {
		return "", err
	}
	return unpackedDir(dir), nil
}

// publishDir builds dir through fill in a temporary sibling and renames it into
// place, so dir is either absent or complete, also when processes race (the loser's
// copy is dropped).
func publishDir(dir string, fill func(tmp string) error) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil // another process finished first
		}
		return err
	}
	return nil
}

// aptDownload fetches a pinned Debian package into dir (see registry.AptDownload).
func aptDownload(ctx context.Context, name, version, wantSHA256, dir string, opt Options) (string, error) {
	path, err := registry.AptDownload(ctx, name, version, wantSHA256, dir, opt.Progress)
	if errors.Is(err, registry.ErrDownload) {
		return "", fmt.Errorf("%w (the pinned version is Debian 12's)", err)
	}
	return path, err
}

// requireEmptyDir refuses an existing, non-empty output folder, so nothing there is overwritten.
func requireEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("samples: output %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("samples: output folder %s is not empty; choose a new folder", dir)
	}
	return nil
}
