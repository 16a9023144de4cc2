// Package viewer embeds pixplot's web front end: a framework-free WebGL2 viewer
// written as plain ES modules (no build step). The server mounts FS() at its
// root; `pixplot export` copies FS() next to the exported data files. API.md
// in this directory is the contract between the viewer and both back ends.
package viewer

import (
	"embed"
	"io/fs"
)

//go:embed all:web
var assets embed.FS

// FS returns the viewer's files with index.html at the root.
func FS() fs.FS {
	sub, err := fs.Sub(assets, "web")
	if err != nil {
		panic("viewer: embedded web directory missing: " + err.Error())
	}
	return sub
}
