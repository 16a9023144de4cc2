package samples

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
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
	dir := filepath.Join(samplesDir, fmt.Sprintf("%s.v%d", cacheSafe(src.pkg), FormatVersion))
	if _, err := os.Stat(filepath.Join(dir, "catalog.json")); err == nil {
		return unpackedDir(dir), nil
	}
	archive, err := src.download(ctx, filepath.Join(opt.CacheDir, "downloads"), opt)
	if err != nil {
		return "", err
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

// cacheSafe turns a package@version into a folder name.
func cacheSafe(pkg string) string {
	return strings.NewReplacer("@", "-", ":", "_", "/", "_").Replace(pkg)
}

// npmPack fetches an npm package tarball with `npm pack name@version` into dir,
// unless a copy is there already, and checks its SHA-256.
func npmPack(ctx context.Context, spec, wantSHA256, dir string, opt Options) (string, error) {
	base := strings.ReplaceAll(strings.TrimPrefix(spec, "@"), "/", "-")
	base = strings.Replace(base, "@", "-", 1) + ".tgz"
	path := filepath.Join(dir, base)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("samples: fetching %s needs npm (it runs `npm pack %s`); install Node.js and npm (Debian: apt-get install npm): %w", spec, spec, ErrToolMissing)
	}
	opt.logf("downloading %s (npm pack)", spec)
	return fetchInto(ctx, opt, dir, path, wantSHA256, ".tgz", "npm", "pack", spec)
}

// aptDownload fetches a Debian package with `apt-get download name=version` into
// dir, unless a copy is there already, and checks its SHA-256.
func aptDownload(ctx context.Context, name, version, wantSHA256, dir string, opt Options) (string, error) {
	path := filepath.Join(dir, name+"_"+cacheSafe(version)+".deb")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", fmt.Errorf("samples: fetching %s %s needs apt-get (it runs `apt-get download %s=%s`) on a Debian or Ubuntu system: %w", name, version, name, version, ErrToolMissing)
	}
	opt.logf("downloading %s=%s (apt-get download)", name, version)
	path, err := fetchInto(ctx, opt, dir, path, wantSHA256, ".deb", "apt-get", "download", name+"="+version)
	if err != nil {
		return "", fmt.Errorf("%w (if apt cannot find the package, run `apt-get update` first; the pinned version is Debian 12's)", err)
	}
	return path, nil
}

// fetchInto runs a download command in a fresh temporary folder under dir, checks
// that it left exactly one file ending in ext with the wanted SHA-256, and moves it
// to path.
func fetchInto(ctx context.Context, opt Options, dir, path, wantSHA256, ext string, command ...string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, ".fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	what := strings.Join(command, " ")
	if err != nil {
		return "", fmt.Errorf("samples: `%s` failed: %v\n%s: %w", what, err, tail(out, 2000), ErrDownload)
	}
	got, err := filepath.Glob(filepath.Join(tmp, "*"+ext))
	if err != nil || len(got) != 1 {
		return "", fmt.Errorf("samples: `%s` left %d %s files, want 1: %w", what, len(got), ext, ErrDownload)
	}
	sum, err := fileSHA256(got[0])
	if err != nil {
		return "", err
	}
	if sum != wantSHA256 {
		return "", fmt.Errorf("samples: `%s` gave %s with SHA-256 %s, want %s: %w", what, filepath.Base(got[0]), sum, wantSHA256, ErrDownload)
	}
	if err := os.Rename(got[0], path); err != nil {
		return "", err
	}
	if info, err := os.Stat(path); err == nil {
		opt.logf("downloaded %s (%.1f MB in %.1fs)", filepath.Base(path), float64(info.Size())/1e6, time.Since(start).Seconds())
	}
	return path, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("samples: read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
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
