package viewer

import "fmt"

// Static export layout. `pixplot export` writes these files next to the
// viewer's own files; web/js/source.js reads the same paths, so a change
// here must be made there too (the browser test checks they agree).
// Paths are slash-separated file paths, not URLs: plot names are limited to
// [A-Za-z0-9._-] (see API.md), so they need no escaping on disk or in URLs.

// ConfigFile is the viewer's mode switch. The embedded copy says
// {"static":false}; an export overwrites it with StaticConfig.
const ConfigFile = "config.json"

// StaticConfig is the content of ConfigFile in a static export.
var StaticConfig = []byte(`{"static":true,"read_only":true}` + "\n")

// PlotsFile holds what GET /api/plots returns.
const PlotsFile = "data/plots.json"

// ManifestFile holds what GET /api/plots/{plot} returns.
func ManifestFile(plot string) string { return plotDir(plot) + "/manifest.json" }

// LayoutFile holds what GET /api/plots/{plot}/layouts/{layout} returns (float32 pairs).
func LayoutFile(plot, layout string) string {
	return plotDir(plot) + "/layouts/" + layout + ".bin"
}

// CellsFile holds what GET /api/plots/{plot}/cells?tier=T returns.
func CellsFile(plot string, tier int) string {
	return fmt.Sprintf("%s/cells-%d.json", plotDir(plot), tier)
}

// MetaFile holds what GET /api/plots/{plot}/meta returns.
func MetaFile(plot string) string { return plotDir(plot) + "/meta.json" }

// AtlasFile holds what GET /api/plots/{plot}/atlases/{i}?tier=T returns (JPEG).
func AtlasFile(plot string, tier, i int) string {
	return fmt.Sprintf("%s/atlases/%d-%d.jpg", plotDir(plot), tier, i)
}

// ImageFile holds what GET /api/images/{id} returns.
func ImageFile(id int64) string { return fmt.Sprintf("data/images/%d.json", id) }

// ThumbFile holds what GET /api/images/{id}/thumb?size=S returns (JPEG); size is "cell" or "preview".
func ThumbFile(id int64, size string) string { return fmt.Sprintf("data/images/%d-%s.jpg", id, size) }

// SimilarFile holds the precomputed answer of GET /api/images/{id}/similar.
func SimilarFile(id int64) string { return fmt.Sprintf("data/similar/%d.json", id) }

func plotDir(plot string) string { return "data/plots/" + plot }
