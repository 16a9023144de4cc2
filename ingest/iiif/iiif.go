// Package iiif reads IIIF Presentation API documents (versions 2 and 3):
// manifests, with every image of every canvas, and collections, with the
// manifests they list. Parsing is a pure function over the document's bytes;
// fetching is the caller's business.
package iiif

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrNotIIIF means the bytes are JSON but not a IIIF manifest or collection.
var ErrNotIIIF = errors.New("not a IIIF Presentation manifest or collection")

// Document is a parsed IIIF Presentation resource: exactly one of Manifest
// and Collection is set.
type Document struct {
	Version    int // Presentation API major version: 2 or 3
	Manifest   *Manifest
	Collection *Collection
}

// Manifest is what a manifest says about its images.
type Manifest struct {
	ID          string
	Version     int
	Label       string
	Summary     string // v3 summary, v2 description
	Metadata    []Pair // label/value pairs, in document order
	Homepage    string // v3 homepage, v2 related (first one)
	Rights      string // v3 rights, v2 license
	Attribution string // v3 requiredStatement value, v2 attribution
	NavDate     string
	Images      []Image // every painted image of every canvas, in canvas order
	// Problems lists parts of the document that were skipped (e.g. a canvas
	// whose annotation page is only referenced, not embedded).
	Problems []string
}

// Pair is one metadata entry of a manifest.
type Pair struct {
	Label, Value string
}

// Collection lists manifests (and nested collections) by URL.
type Collection struct {
	ID          string
	Label       string
	Manifests   []string
	Collections []string
	// Pages are further pages of a paged v2 collection (first/next links).
	Pages []string
}

// Parse reads a IIIF Presentation 2 or 3 manifest or collection.
func Parse(data []byte) (Document, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return Document{}, fmt.Errorf("iiif: invalid JSON: %w", err)
	}
	version := presentationVersion(root)
	kind := resourceType(root)
	switch {
	case version == 3 && kind == "Manifest":
		m := parseManifest3(root)
		return Document{Version: 3, Manifest: &m}, nil
	case version == 3 && kind == "Collection":
		c := parseCollection3(root)
		return Document{Version: 3, Collection: &c}, nil
	case version == 2 && kind == "Manifest":
		m := parseManifest2(root)
		return Document{Version: 2, Manifest: &m}, nil
	case version == 2 && kind == "Collection":
		c := parseCollection2(root)
		return Document{Version: 2, Collection: &c}, nil
	}
	if kind == "" {
		return Document{}, ErrNotIIIF
	}
	return Document{}, fmt.Errorf("%w: type %q", ErrNotIIIF, kind)
}

// presentationVersion reads the version from @context (a string or a list),
// falling back on the shape: "@type" is v2, "type" is v3.
func presentationVersion(root map[string]any) int {
	for _, ctx := range stringsOf(root["@context"]) {
		switch {
		case strings.Contains(ctx, "iiif.io/api/presentation/3"):
			return 3
		case strings.Contains(ctx, "iiif.io/api/presentation/2"):
			return 2
		}
	}
	if _, ok := root["@type"]; ok {
		return 2
	}
	if _, ok := root["type"]; ok {
		return 3
	}
	return 0
}

// resourceType is "Manifest", "Collection" or the raw type, with the v2 "sc:"
// prefix removed.
func resourceType(node map[string]any) string {
	t := str(node["type"])
	if t == "" {
		t = str(node["@type"])
	}
	return strings.TrimPrefix(t, "sc:")
}

// id returns a node's "id" (v3) or "@id" (v2).
func id(node map[string]any) string {
	if s := str(node["id"]); s != "" {
		return s
	}
	return str(node["@id"])
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// objects returns v as a list of objects: a single object counts as a list of one.
func objects(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		out := make([]map[string]any, 0, len(t))
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// stringsOf returns v as a list of strings: a string counts as a list of one.
func stringsOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// dimension reads a positive integer width or height.
func dimension(v any) int {
	f, ok := v.(float64)
	if !ok || f <= 0 || f > 1e9 {
		return 0
	}
	return int(f)
}
