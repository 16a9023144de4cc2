package modelstore

import (
	"archive/tar"
	"context"
	"io"
	"path/filepath"

	"github.com/pixplot/pixplot/registry"
)

// ErrNoNPM is returned (wrapped) when npm, which fetches the runtime and the
// models, is not installed. It is registry.ErrNoNPM.
var ErrNoNPM = registry.ErrNoNPM

// extract copies the regular files of a .tgz whose names want maps to a
// destination path (relative to destDir) and reports the names it found.
func extract(ctx context.Context, tgz, destDir string, want func(name string) (dest string, ok bool)) ([]string, error) {
	var got []string
	err := registry.WalkTarGz(ctx, tgz, func(name string, hdr *tar.Header, body io.Reader) error {
		if hdr.Typeflag != tar.TypeReg {
			return nil
		}
		dest, ok := want(name)
		if !ok {
			return nil
		}
		data, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		got = append(got, name)
		return registry.WriteAtomic(filepath.Join(destDir, filepath.FromSlash(dest)), data)
	})
	if err != nil {
		return nil, err
	}
	return got, nil
}
