package ingest

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/pixplot/pixplot/catalog"
)

// removedSources lists the stored sources that the spec covers but that
// discovery did not find this time, sorted. Sources under a directory that
// could not be listed, or with a problem of their own, are not counted: they
// may still be there. URL lists cover nothing (a manifest may be down).
func removedSources(disc Discovery, known map[string]catalog.KnownImage) []string {
	if disc.covers == nil {
		return nil
	}
	found := make(map[string]bool, len(disc.Items))
	for _, it := range disc.Items {
		found[it.Source] = true
	}
	var gone []string
	for src := range known {
		if found[src] || isURL(src) || !disc.covers(src) || underProblem(src, disc.Problems) {
			continue
		}
		gone = append(gone, src)
	}
	sort.Strings(gone)
	return gone
}

func underProblem(src string, problems []Problem) bool {
	for _, p := range problems {
		if src == p.Path || strings.HasPrefix(src, p.Path+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// relativeParts splits src into "/"-free segments relative to root; ok is
// false when src is not below root.
func relativeParts(root, src string) ([]string, bool) {
	rel, err := filepath.Rel(root, src)
	if err != nil || rel == "." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || rel == ".." {
		return nil, false
	}
	return strings.Split(filepath.ToSlash(rel), "/"), true
}

// dirCovers is the scope of a directory spec: visible image files below root.
func dirCovers(root string) func(string) bool {
	return func(src string) bool {
		parts, ok := relativeParts(root, src)
		if !ok || !hasImageExtension(src) {
			return false
		}
		for _, p := range parts {
			if strings.HasPrefix(p, ".") {
				return false
			}
		}
		return true
	}
}

// globCovers is the scope of a glob: the files the pattern matches.
func globCovers(root string, g globPattern) func(string) bool {
	return func(src string) bool {
		parts, ok := relativeParts(root, src)
		if !ok || !(g.anyExt || hasImageExtension(src)) {
			return false
		}
		return matchSegments(g.segments, parts)
	}
}

// matchSegments matches path segments against pattern segments as the glob
// walk does: "**" spans any number of visible directories, and a hidden name
// matches only a pattern segment that starts with ".".
func matchSegments(pats, parts []string) bool {
	if len(pats) == 0 {
		return len(parts) == 0
	}
	if pats[0] == "**" {
		for i := 0; i < len(parts); i++ {
			if matchSegments(pats[1:], parts[i:]) {
				return true
			}
			if strings.HasPrefix(parts[i], ".") {
				return false
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	ok, _ := filepath.Match(pats[0], parts[0])
	if !ok || (strings.HasPrefix(parts[0], ".") && !strings.HasPrefix(pats[0], ".")) {
		return false
	}
	return matchSegments(pats[1:], parts[1:])
}
