package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// hasGlobMeta reports whether s has a pattern character of filepath.Match.
func hasGlobMeta(s string) bool {
	return strings.ContainsAny(s, `*?[`)
}

// globPattern is a glob split into a literal root directory and the pattern
// segments below it.
type globPattern struct {
	root     string   // the leading segments without pattern characters
	segments []string // the rest, "/"-separated; "**" matches any number of directories
	anyExt   bool     // the last segment names an extension: take any matching file
}

// parseGlob splits pattern (OS separators or "/") into root and segments and
// checks every segment's syntax.
func parseGlob(pattern string) (globPattern, error) {
	parts := strings.Split(filepath.ToSlash(pattern), "/")
	var g globPattern
	i := 0
	for i < len(parts) && !hasGlobMeta(parts[i]) {
		i++
	}
	g.root = filepath.FromSlash(strings.Join(parts[:i], "/"))
	if i > 0 && parts[0] == "" && g.root == "" {
		g.root = string(filepath.Separator)
	}
	if g.root == "" {
		g.root = "."
	}
	for _, seg := range parts[i:] {
		if seg == "" {
			continue // "a//b"
		}
		if strings.Contains(seg, "**") && seg != "**" {
			return g, fmt.Errorf("glob %q: \"**\" must be a whole path segment (as in dir/**/*.jpg)", pattern)
		}
		if _, err := filepath.Match(seg, ""); err != nil {
			return g, fmt.Errorf("glob %q: bad pattern segment %q: %w", pattern, seg, err)
		}
		g.segments = append(g.segments, seg)
	}
	if len(g.segments) == 0 {
		return g, fmt.Errorf("glob %q has no pattern", pattern)
	}
	if last := g.segments[len(g.segments)-1]; last == "**" {
		g.segments = append(g.segments, "*") // "dir/**" means every file below dir
	} else {
		ext := filepath.Ext(last)
		g.anyExt = ext != "" && !hasGlobMeta(ext)
	}
	return g, nil
}

// discoverGlob lists the files matching pattern; Paths are relative to the
// pattern's literal root.
func discoverGlob(pattern string) (Discovery, error) {
	g, err := parseGlob(pattern)
	if err != nil {
		return Discovery{}, err
	}
	abs, err := filepath.Abs(g.root)
	if err != nil {
		return Discovery{}, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return Discovery{}, fmt.Errorf("glob %q: %w", pattern, err)
	}
	if !info.IsDir() {
		return Discovery{}, fmt.Errorf("glob %q: %s is not a directory", pattern, g.root)
	}
	m := &globMatcher{walker: newWalker(abs), pattern: g, seen: map[string]bool{}, expanded: map[globState]bool{}}
	id, _ := idOf(abs, info)
	m.match(abs, "", 0, map[fileID]bool{id: true})
	d := m.result()
	d.covers = globCovers(abs, g)
	return d, nil
}

// globState is a directory and the pattern position it is matched against.
type globState struct {
	dir fileID
	seg int
}

type globMatcher struct {
	*walker
	pattern  globPattern
	seen     map[string]bool    // files already listed ("**/**" reaches them twice)
	expanded map[globState]bool // work already done (and what stops symlink loops)
}

// match lists what below dir matches segments[seg:]; rel is dir relative to the root.
func (m *globMatcher) match(dir, rel string, seg int, ancestors map[fileID]bool) {
	pat := m.pattern.segments[seg]
	if pat == "**" {
		m.match(dir, rel, seg+1, ancestors) // "**" as no directory at all
		// …and as one or more: every visible directory, staying at seg. Listing
		// errors and unusable entries were reported by the pass above.
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") {
				m.descendDoubleStar(dir, rel, e, seg, ancestors)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		m.problem(dir, "cannot list directory: %v", unwrapPathError(err))
	}
	for _, e := range entries {
		name := e.Name()
		matched, _ := filepath.Match(pat, name) // syntax checked by parseGlob
		if !matched || (strings.HasPrefix(name, ".") && !strings.HasPrefix(pat, ".")) {
			continue
		}
		last := seg == len(m.pattern.segments)-1
		if last && !e.IsDir() && e.Type()&fs.ModeSymlink == 0 && !m.takes(name) {
			continue
		}
		full, childRel := filepath.Join(dir, name), filepath.Join(rel, name)
		info, ok := m.entry(full, e)
		if !ok {
			continue
		}
		switch {
		case info.IsDir() && !last:
			m.descend(full, childRel, seg+1, info, ancestors)
		case info.IsDir():
		case !last || !m.takes(name):
		case m.seen[full]:
		case info.Mode().IsRegular():
			m.seen[full] = true
			m.items = append(m.items, fileItem(full, childRel, info))
		default:
			m.seen[full] = true
			m.problem(full, "not a regular file (%s); skipped", fileKind(info.Mode()))
		}
	}
}

// descendDoubleStar enters a directory entry for "**" (staying at seg).
func (m *globMatcher) descendDoubleStar(dir, rel string, e fs.DirEntry, seg int, ancestors map[fileID]bool) {
	if !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
		return
	}
	name := e.Name()
	full := filepath.Join(dir, name)
	info, err := os.Stat(full)
	if err != nil || !info.IsDir() {
		return
	}
	m.descend(full, filepath.Join(rel, name), seg, info, ancestors)
}

// takes reports whether a file matching the last segment is listed.
func (m *globMatcher) takes(name string) bool {
	return m.pattern.anyExt || hasImageExtension(name)
}

// descend matches dir against segments[seg:] unless that was done already or
// dir leads back to one of its ancestors (a symlink loop, reported once).
func (m *globMatcher) descend(dir, rel string, seg int, info fs.FileInfo, ancestors map[fileID]bool) {
	id, ok := idOf(dir, info)
	if !ok {
		m.match(dir, rel, seg, ancestors)
		return
	}
	if ancestors[id] {
		if !m.visited[id] {
			m.visited[id] = true
			m.problem(dir, "symlink loop (it leads back to a directory above it); not followed")
		}
		return
	}
	state := globState{dir: id, seg: seg}
	if m.expanded[state] {
		return
	}
	m.expanded[state] = true
	ancestors[id] = true
	m.match(dir, rel, seg, ancestors)
	delete(ancestors, id)
}
