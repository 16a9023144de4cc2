//go:build !unix

package ingest

import (
	"io/fs"
	"path/filepath"
)

// fileID identifies a directory by its path with symlinks resolved.
type fileID struct{ path string }

func idOf(p string, _ fs.FileInfo) (fileID, bool) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return fileID{}, false
	}
	return fileID{path: real}, true
}
