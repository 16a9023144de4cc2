// Package registry fetches pinned packages from the package registries into
// the cache with the system's own clients (`npm pack`, `apt-get download`),
// checks their sha256, and reads their archives (.tgz, and .deb through
// dpkg-deb). It also says where the cache is and writes files into it
// atomically, so a reader never sees half a file.
package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrToolMissing is wrapped by errors that say a program needed to fetch or
// read a package (npm, apt-get, dpkg-deb) is not installed.
var ErrToolMissing = errors.New("tool missing")

// ErrNoNPM is wrapped by NPMPack's error when npm is not installed; it wraps
// ErrToolMissing.
var ErrNoNPM = fmt.Errorf("npm not found: install Node.js and npm (Debian: apt-get install npm): %w", ErrToolMissing)

// ErrDownload is wrapped by errors of a download itself (registry unreachable,
// package not found, checksum mismatch).
var ErrDownload = errors.New("download failed")

// CacheDir is where pixplot keeps what it fetches and derives from it:
// $PIXPLOT_CACHE when set, else pixplot under the user cache directory
// (~/.cache/pixplot), else pixplot-cache under the temporary directory.
func CacheDir() string {
	if dir := os.Getenv("PIXPLOT_CACHE"); dir != "" {
		return dir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "pixplot")
	}
	return filepath.Join(os.TempDir(), "pixplot-cache")
}

// FileSHA256 returns the hex sha256 of a file's bytes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteAtomic writes data to path (mode 0644, creating its folder) through a
// temporary file and a rename, so readers never see a half-written file.
func WriteAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func logf(log io.Writer, format string, args ...any) {
	if log != nil {
		fmt.Fprintf(log, format+"\n", args...)
	}
}
