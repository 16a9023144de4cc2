package ingest

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/ingest/metadata"
)

// Join is the outcome of matching metadata rows to discovered images.
type Join struct {
	// Meta holds the metadata of each item that has some (from a row, a IIIF
	// manifest, or both merged), by index into the items.
	Meta map[int]pixplot.Metadata
	// Matched counts the rows that found their image.
	Matched int
	// Unmatched are the rows that name no discovered image.
	Unmatched []metadata.Row
	// Problems are ambiguous base names and second rows for one image.
	Problems []Problem
	// Dropped holds, by index into the items, the columns whose bad values
	// the matched row dropped: values stored for them are kept.
	Dropped map[int][]string
}

// JoinMetadata matches rows to items: by Path (relative to the images root;
// the URL for remote images) or Source (absolute path or URL), else by base
// name when exactly one image has that base name. Duplicate base names in
// different folders are distinct images: a row giving only such a base name is
// ambiguous and reported. Items without a row keep their own metadata (IIIF)
// or none; a row overrides IIIF metadata field by field.
func JoinMetadata(items []Item, rows []metadata.Row) Join {
	byPath := make(map[string]int, len(items))
	byName := make(map[string][]int, len(items))
	for i, it := range items {
		byPath[it.Path] = i
		byPath[it.Source] = i
		byName[it.Filename] = append(byName[it.Filename], i)
	}
	j := Join{Meta: map[int]pixplot.Metadata{}, Dropped: map[int][]string{}}
	for i, it := range items {
		if it.Meta != nil {
			j.Meta[i] = *it.Meta
		}
	}
	matchedBy := map[int]metadata.Row{} // which row gave an item its metadata
	for _, row := range rows {
		i, ok := byPath[row.Filename]
		if !ok {
			var ambiguous bool
			if i, ok, ambiguous = j.matchBaseName(row, byName, items); ambiguous {
				continue
			}
		}
		if !ok {
			j.Unmatched = append(j.Unmatched, row)
			continue
		}
		if prev, dup := matchedBy[i]; dup {
			j.Problems = append(j.Problems, Problem{Path: row.Where(), Stage: StageMetadata,
				Message: fmt.Sprintf("%q and %s (%q) both describe %s; this row is ignored", row.Filename, prev.Where(), prev.Filename, items[i].Path)})
			continue
		}
		matchedBy[i] = row
		j.Matched++
		j.Meta[i] = mergeMetadata(items[i].Meta, row.Meta)
		if len(row.Dropped) > 0 {
			j.Dropped[i] = row.Dropped
		}
	}
	return j
}

// matchBaseName finds the one item whose base name is the row's base name;
// several such items make the row ambiguous (reported).
func (j *Join) matchBaseName(row metadata.Row, byName map[string][]int, items []Item) (i int, ok, ambiguous bool) {
	candidates := byName[path.Base(row.Filename)]
	switch len(candidates) {
	case 0:
		return 0, false, false
	case 1:
		return candidates[0], true, false
	}
	var paths []string
	for _, i := range candidates {
		paths = append(paths, items[i].Path)
	}
	sort.Strings(paths)
	shown := paths
	if len(shown) > 3 {
		shown = append(shown[:3:3], "…")
	}
	j.Problems = append(j.Problems, Problem{Path: row.Where(), Stage: StageMetadata,
		Message: fmt.Sprintf("filename %q matches %d images (%s); give the path relative to the images root", row.Filename, len(paths), strings.Join(shown, ", "))})
	return 0, false, true
}
