package modelstore

import (
	"context"
	"fmt"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/registry"
)

// Locate finds the .onnx file that a catalog's model was made with, so that
// new images (a similar-image query, an upload) are embedded comparably: file
// when given, else the built-in model of that name. Either must have the
// sha256 the catalog recorded. The returned model has File set.
func (s Store) Locate(ctx context.Context, m pixplot.Model, file string) (pixplot.Model, error) {
	if file == "" {
		builtin, err := s.Builtin(ctx, m.Name)
		if err != nil {
			return m, fmt.Errorf("the catalog's model %s: %w (a model that is not built in needs --model FILE.onnx)", m.Name, err)
		}
		if builtin.SHA256 != m.SHA256 {
			return m, fmt.Errorf("the built-in %s has sha256 %s, but the catalog's vectors were made with sha256 %s: give that file with --model FILE.onnx",
				m.Name, builtin.SHA256, m.SHA256)
		}
		file = builtin.File
	}
	sum, err := registry.FileSHA256(file)
	if err != nil {
		return m, fmt.Errorf("model file: %w", err)
	}
	if sum != m.SHA256 {
		return m, fmt.Errorf("model file %s has sha256 %s, but the catalog's model %s was made with sha256 %s", file, sum, m.Name, m.SHA256)
	}
	m.File = file
	return m, nil
}

// Open loads the runtime (fetching it if needed) and opens an embedder for m,
// whose File must be set (Resolve and Locate set it).
func (s Store) Open(ctx context.Context, m pixplot.Model, opt embed.Options) (*embed.Embedder, error) {
	lib, err := s.Runtime(ctx)
	if err != nil {
		return nil, err
	}
	return embed.Open(lib, m, opt)
}
