package modelstore

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoNPM is returned (wrapped) when npm, which fetches the runtime and the
// models, is not installed.
var ErrNoNPM = errors.New("npm not found: install Node.js and npm (Debian: apt-get install npm)")

// npmPack downloads the tarball of one pinned package version with
// `npm pack name@version` into dir and returns its path. npm pack runs no
// install scripts.
func npmPack(ctx context.Context, spec, dir string) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", ErrNoNPM
	}
	cmd := exec.CommandContext(ctx, npm, "pack", spec, "--silent")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w: %s", spec, err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s: printed no file name", spec)
	}
	tgz := filepath.Join(dir, lines[len(lines)-1])
	if _, err := os.Stat(tgz); err != nil {
		return "", fmt.Errorf("npm pack %s: %w", spec, err)
	}
	return tgz, nil
}

// extract copies the regular files of a .tgz whose names want maps to a
// destination path (relative to destDir) and reports the names it found.
func extract(tgz, destDir string, want func(name string) (dest string, ok bool)) ([]string, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tgz, err)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tgz, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		dest, ok := want(h.Name)
		if !ok {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", tgz, h.Name, err)
		}
		if err := writeAtomic(filepath.Join(destDir, filepath.FromSlash(dest)), data); err != nil {
			return nil, err
		}
		got = append(got, h.Name)
	}
}
