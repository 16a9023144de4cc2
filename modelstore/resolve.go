package modelstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/registry"
)

// Custom describes a user's own .onnx model: what its sidecar JSON
// (model.json next to model.onnx) says, or what command-line flags override.
// Empty fields are unset.
type Custom struct {
	Input  string `json:"input"`  // input tensor name; default: the only input
	Output string `json:"output"` // output tensor name; default: the only output
	Layout string `json:"layout"` // "NHWC" or "NCHW"; default: from the input shape
	Scale  string `json:"scale"`  // "0,1", "-1,1" or "imagenet"; required
	Name   string `json:"name"`   // model name; default: the file name without .onnx
	Size   int    `json:"size"`   // square input side; default: from the input shape
}

// over returns c with every field set in o replacing c's.
func (c Custom) over(o Custom) Custom {
	pick := func(a, b string) string {
		if b != "" {
			return b
		}
		return a
	}
	c.Input, c.Output, c.Layout = pick(c.Input, o.Input), pick(c.Output, o.Output), pick(c.Layout, o.Layout)
	c.Scale, c.Name = pick(c.Scale, o.Scale), pick(c.Name, o.Name)
	if o.Size != 0 {
		c.Size = o.Size
	}
	return c
}

// Resolve turns a model reference into a usable model: a built-in name
// (fetched and converted if needed), or the path of an .onnx file described by
// its sidecar PATH.json (PATH being the file name without .onnx) and by
// overrides, which win. An .onnx model is checked by loading it and embedding
// a blank image, which also gives its Dims; its SHA256 is that of the file.
func (s Store) Resolve(ctx context.Context, nameOrPath string, overrides Custom) (pixplot.Model, error) {
	if _, ok := builtinByName(nameOrPath); ok {
		if overrides != (Custom{}) {
			return pixplot.Model{}, fmt.Errorf("model %s is built in: input, output, layout, scale, name and size apply only to .onnx files", nameOrPath)
		}
		return s.Builtin(ctx, nameOrPath)
	}
	st, err := os.Stat(nameOrPath)
	if err != nil || st.IsDir() {
		if !strings.HasSuffix(nameOrPath, ".onnx") {
			return pixplot.Model{}, fmt.Errorf("model %q is neither built in (%s) nor an .onnx file", nameOrPath, strings.Join(builtinNames(), ", "))
		}
		if err == nil {
			err = errors.New("is a directory")
		}
		return pixplot.Model{}, fmt.Errorf("model file: %w", err)
	}
	path, err := filepath.Abs(nameOrPath)
	if err != nil {
		return pixplot.Model{}, err
	}
	sidecar, err := readSidecar(strings.TrimSuffix(path, filepath.Ext(path)) + ".json")
	if err != nil {
		return pixplot.Model{}, err
	}
	c := sidecar.over(overrides)
	if c.Scale == "" {
		return pixplot.Model{}, fmt.Errorf("model %s: scale not given: set \"scale\" in %s or give it explicitly (\"0,1\", \"-1,1\" or \"imagenet\")",
			path, filepath.Base(strings.TrimSuffix(path, filepath.Ext(path))+".json"))
	}
	if c.Name == "" {
		c.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	lib, err := s.Runtime(ctx)
	if err != nil {
		return pixplot.Model{}, err
	}
	e, err := embed.Open(lib, pixplot.Model{
		Name:       c.Name,
		File:       path,
		Output:     c.Output,
		Preprocess: pixplot.Preprocess{Input: c.Input, Size: c.Size, Layout: c.Layout, Scale: c.Scale},
	}, embed.Options{Threads: 1, BatchSize: 1})
	if err != nil {
		return pixplot.Model{}, err
	}
	m := e.Model()
	e.Close()
	if m.SHA256, err = registry.FileSHA256(path); err != nil {
		return pixplot.Model{}, err
	}
	return m, nil
}

// readSidecar reads a model's sidecar JSON; a missing file describes nothing.
func readSidecar(path string) (Custom, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Custom{}, nil
	}
	if err != nil {
		return Custom{}, err
	}
	var c Custom
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Custom{}, fmt.Errorf("model sidecar %s: %w", path, err)
	}
	return c, nil
}
