package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot/catalog"
)

// search is GET /api/search?q=TEXT[&plot=NAME]: full-text search over
// filename, category, tags and description, best first, at most
// catalog.MaxSearchResults. q is the user's text (never FTS5 syntax); an
// empty q finds nothing.
func (s *Server) search(c *gin.Context) {
	plot, ok := s.optionalPlot(c)
	if !ok {
		return
	}
	hits, err := s.cat.Search(c.Request.Context(), c.Query("q"), catalog.SearchOptions{Plot: plot})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, hits)
}
