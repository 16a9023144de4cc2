package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pixplot/pixplot/ingest/metadata"
)

// LoadMetadata reads the metadata spec: one CSV, TSV or JSON file, or a glob
// of JSON files with one object each (PixPlot's per-file JSON). A single file
// that cannot be used is an error; in a glob, such a file is a problem and the
// others are read.
func LoadMetadata(spec string) (metadata.Table, error) {
	if _, err := os.Stat(spec); err == nil || !hasGlobMeta(spec) {
		data, err := os.ReadFile(spec)
		if err != nil {
			return metadata.Table{}, fmt.Errorf("metadata: %w", err)
		}
		return metadata.Parse(spec, data)
	}
	g, err := parseGlob(spec)
	if err != nil {
		return metadata.Table{}, fmt.Errorf("metadata: %w", err)
	}
	files, err := discoverGlob(spec)
	if err != nil {
		return metadata.Table{}, fmt.Errorf("metadata: %w", err)
	}
	if len(files.Items) == 0 {
		return metadata.Table{}, fmt.Errorf("metadata: no files match %q", spec)
	}
	var tables []metadata.Table
	var unreadable []metadata.Problem
	for _, it := range files.Items {
		name := filepath.Join(g.root, filepath.FromSlash(it.Path)) // as the user would write it
		data, err := os.ReadFile(it.Source)
		if err == nil {
			var t metadata.Table
			if t, err = metadata.Parse(name, data); err == nil {
				tables = append(tables, t)
				continue
			}
		}
		msg := strings.TrimPrefix(err.Error(), name+": ") // parse errors name the file already
		unreadable = append(unreadable, metadata.Problem{File: name, Message: msg + "; file skipped"})
	}
	for _, p := range files.Problems {
		unreadable = append(unreadable, metadata.Problem{File: p.Path, Message: p.Message})
	}
	merged := metadata.Merge(tables...)
	merged.Problems = append(merged.Problems, unreadable...)
	return merged, nil
}
