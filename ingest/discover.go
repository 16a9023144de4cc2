package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pixplot/pixplot"
)

// Item is one image found by discovery.
type Item struct {
	// Source is where the bytes are read: an absolute file path or a URL. It is
	// unique within a discovery and is the catalog's key for the image.
	Source string
	// Path is relative to the images root with "/" separators (the URL for
	// remote images); metadata rows join on it.
	Path     string
	Filename string // base name of Path; for IIIF images the image identifier's name
	Size     int64  // bytes, from the directory entry (0 for URLs)
	ModTime  int64  // unix ns, from the directory entry (0 for URLs)
	// Fallback is a second URL to try when Source cannot be downloaded (a IIIF
	// image's full-size rendition); "" when there is none.
	Fallback string
	// Meta is what a IIIF manifest says about the image; nil otherwise.
	Meta *pixplot.Metadata
}

// Remote reports whether the item is downloaded rather than read from disk.
func (it Item) Remote() bool { return isURL(it.Source) }

// Problem is something that was reported and skipped: a file discovery could
// not use, a manifest that could not be read, a metadata cell.
type Problem struct {
	Path    string // the file, URL or metadata file it is about
	Stage   string // discover, metadata (as ingest_errors.stage)
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Discovery is what an images spec names.
type Discovery struct {
	Root     string // absolute directory Paths are relative to; "" for URL lists
	Items    []Item // sorted by Path (URL lists: in list order)
	Problems []Problem
	// covers reports whether the spec would take a file at this source, so
	// that catalogued files it no longer finds count as removed; nil for URL lists.
	covers func(source string) bool
}

// Stages recorded in ingest_errors.
const (
	StageDiscover = "discover"
	StageMetadata = "metadata"
	StageRead     = "read"
	StageDecode   = "decode"
	StageEmbed    = "embed"
	StageStore    = "store"
)

// imageExtensions are the file name extensions (lower case) taken from
// directories and globs.
var imageExtensions = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".gif": true,
	".webp": true, ".bmp": true, ".tif": true, ".tiff": true,
}

func hasImageExtension(name string) bool {
	return imageExtensions[strings.ToLower(filepath.Ext(name))]
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// Discover lists the images that spec names:
//   - an http(s) URL: one IIIF manifest or collection, or one image;
//   - a directory: every image file below it (extensions case-insensitive),
//     hidden files and directories skipped, symlinks followed (loops reported);
//   - an image file: that file;
//   - any other existing file: a list of IIIF manifest/collection or image URLs,
//     one per line, "#" starting a comment line;
//   - otherwise a glob: path/filepath.Match per "/"-separated segment, "**"
//     matching any number of directories. Only image files are taken unless
//     the last segment names an extension itself (e.g. "*.dat").
//
// Files that cannot be used (dangling symlinks, FIFOs, unreadable
// directories, symlink loops) and manifests that cannot be read are reported
// in Problems; Discover fails only when spec itself is unusable.
func Discover(ctx context.Context, spec string, remote RemoteOptions) (Discovery, error) {
	if strings.TrimSpace(spec) == "" {
		return Discovery{}, errors.New("no images given")
	}
	if isURL(spec) {
		return discoverURLs(ctx, []listedURL{{url: spec}}, remote), nil
	}
	info, err := os.Stat(spec)
	switch {
	case err == nil && info.IsDir():
		return discoverDir(spec)
	case err == nil && info.Mode().IsRegular() && hasImageExtension(spec):
		return discoverFile(spec, info)
	case err == nil && info.Mode().IsRegular():
		data, err := os.ReadFile(spec)
		if err != nil {
			return Discovery{}, fmt.Errorf("read URL list %s: %w", spec, err)
		}
		urls, problems := parseURLList(spec, data)
		d := discoverURLs(ctx, urls, remote)
		d.Problems = append(problems, d.Problems...)
		return d, nil
	case err == nil:
		return Discovery{}, fmt.Errorf("%s is neither a directory nor a regular file", spec)
	case hasGlobMeta(spec):
		return discoverGlob(spec)
	}
	return Discovery{}, fmt.Errorf("images %s: %w", spec, err)
}

func discoverFile(file string, info fs.FileInfo) (Discovery, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return Discovery{}, err
	}
	root := filepath.Dir(abs)
	covers := func(src string) bool { return src == abs }
	return Discovery{Root: root, Items: []Item{fileItem(abs, filepath.Base(abs), info)}, covers: covers}, nil
}

// fileItem makes the item of a regular file; rel uses the OS separator.
func fileItem(abs, rel string, info fs.FileInfo) Item {
	p := filepath.ToSlash(rel)
	return Item{Source: abs, Path: p, Filename: path.Base(p), Size: info.Size(), ModTime: info.ModTime().UnixNano()}
}

// walker collects files below a root, following symlinks without looping.
type walker struct {
	root     string // absolute
	visited  map[fileID]bool
	items    []Item
	problems []Problem
}

func newWalker(root string) *walker {
	return &walker{root: root, visited: map[fileID]bool{}}
}

func (w *walker) problem(p, format string, args ...any) {
	w.problems = append(w.problems, Problem{Path: p, Stage: StageDiscover, Message: fmt.Sprintf(format, args...)})
}

// result sorts the items by Path.
func (w *walker) result() Discovery {
	sort.Slice(w.items, func(i, j int) bool { return w.items[i].Path < w.items[j].Path })
	return Discovery{Root: w.root, Items: w.items, Problems: w.problems}
}

// entry stats a directory entry, following symlinks. ok is false (and the
// problem reported) when it cannot be used.
func (w *walker) entry(full string, e fs.DirEntry) (fs.FileInfo, bool) {
	if e.Type()&fs.ModeSymlink == 0 {
		info, err := e.Info()
		if err != nil {
			w.problem(full, "cannot stat: %v", err)
			return nil, false
		}
		return info, true
	}
	info, err := os.Stat(full)
	if err != nil {
		target, _ := os.Readlink(full)
		w.problem(full, "broken symlink to %q: %v", target, unwrapPathError(err))
		return nil, false
	}
	return info, true
}

// enter reports whether directory dir (with info) should be descended into:
// not if it was already visited (a symlink loop or a second link to it).
// ancestors holds the directories on the way down, to tell loops apart.
func (w *walker) enter(dir string, info fs.FileInfo, ancestors map[fileID]bool) (fileID, bool) {
	id, ok := idOf(dir, info)
	if !ok {
		return id, true
	}
	if ancestors[id] {
		w.problem(dir, "symlink loop (it leads back to a directory above it); not followed")
		return id, false
	}
	if w.visited[id] {
		return id, false // the same directory through another link: its files are already listed
	}
	w.visited[id] = true
	return id, true
}

func discoverDir(dir string) (Discovery, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Discovery{}, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return Discovery{}, err
	}
	w := newWalker(abs)
	id, _ := w.enter(abs, info, nil)
	w.walkDir(abs, "", map[fileID]bool{id: true})
	d := w.result()
	d.covers = dirCovers(abs)
	return d, nil
}

// walkDir lists image files below dir (rel is dir relative to the root).
func (w *walker) walkDir(dir, rel string, ancestors map[fileID]bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.problem(dir, "cannot list directory: %v", unwrapPathError(err))
	}
	for _, e := range entries { // ReadDir may return some entries with an error
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		full, childRel := filepath.Join(dir, name), filepath.Join(rel, name)
		if !e.IsDir() && e.Type()&fs.ModeSymlink == 0 && !hasImageExtension(name) {
			continue // not an image; no need to stat it
		}
		info, ok := w.entry(full, e)
		if !ok {
			continue
		}
		switch {
		case info.IsDir():
			id, enter := w.enter(full, info, ancestors)
			if enter {
				ancestors[id] = true
				w.walkDir(full, childRel, ancestors)
				delete(ancestors, id)
			}
		case !hasImageExtension(name):
		case info.Mode().IsRegular():
			w.items = append(w.items, fileItem(full, childRel, info))
		default:
			w.problem(full, "not a regular file (%s); skipped", fileKind(info.Mode()))
		}
	}
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// unwrapPathError drops the path from an *fs.PathError: the message names it already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
