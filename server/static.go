package server

import (
	"io/fs"
	"net/http"
	pathpkg "path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot/viewer"
)

// viewerFiles serves the embedded viewer (index.html at /).
var viewerFiles = http.FileServer(http.FS(viewer.FS()))

// serveViewer answers every path that is not an API route: unknown API paths
// get a JSON 404, anything else a file of the viewer.
func (s *Server) serveViewer(c *gin.Context) {
	path := c.Request.URL.Path
	if path == "/api" || strings.HasPrefix(path, "/api/") {
		abort(c, http.StatusNotFound, "no API endpoint %s %s (see viewer/API.md)", c.Request.Method, path)
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		abort(c, http.StatusMethodNotAllowed, "%s is not allowed on %s", c.Request.Method, path)
		return
	}
	name := strings.TrimPrefix(pathpkg.Clean("/"+path), "/")
	if name != "" {
		if _, err := fs.Stat(viewer.FS(), name); err != nil {
			abort(c, http.StatusNotFound, "no file %s", path)
			return
		}
	}
	viewerFiles.ServeHTTP(c.Writer, c.Request)
}
