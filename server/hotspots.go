package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/pixplot/pixplot/catalog"
)

// maxHotspotBodyBytes bounds POST /api/plots/{plot}/hotspots: a lasso may
// select every image of a million-image plot, about 8 bytes a position.
const maxHotspotBodyBytes = 16 << 20

// hotspotBody is POST /api/plots/{plot}/hotspots.
type hotspotBody struct {
	Label   *string `json:"label"`
	Members []int   `json:"members"` // plot positions
}

// createHotspot makes a hotspot of the selected plot positions and answers
// it, 201, as the manifest lists it.
func (s *Server) createHotspot(c *gin.Context) {
	p, ok := s.readyPlot(c)
	if !ok {
		return
	}
	var body hotspotBody
	if !readJSONUpTo(c, &body, maxHotspotBodyBytes) {
		return
	}
	if body.Label == nil {
		abort(c, http.StatusBadRequest, "label must be a non-empty string")
		return
	}
	if len(body.Members) == 0 {
		abort(c, http.StatusBadRequest, "members must be a non-empty array of plot positions")
		return
	}
	h, err := s.cat.AddHotspot(c.Request.Context(), p.head.Name, *body.Label, body.Members)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, h)
}

// deleteHotspot removes a hotspot; 204.
func (s *Server) deleteHotspot(c *gin.Context) {
	p, id, ok := s.hotspotTarget(c)
	if !ok {
		return
	}
	if err := s.cat.RemoveHotspot(c.Request.Context(), p.head.Name, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// hotspotEditBody is PATCH /api/plots/{plot}/hotspots/{id}: any of its
// fields, at least one.
type hotspotEditBody struct {
	Label    *string `json:"label"`
	Rank     *int    `json:"rank"`     // 0-based place in the list
	Exemplar *int64  `json:"exemplar"` // image id of a member: the new representative
}

// editHotspot renames, moves or sets the representative of a hotspot, all
// of the body or nothing, and answers the updated hotspot as the manifest
// lists it.
func (s *Server) editHotspot(c *gin.Context) {
	p, id, ok := s.hotspotTarget(c)
	if !ok {
		return
	}
	var body hotspotEditBody
	if !readJSON(c, &body) {
		return
	}
	if body.Label == nil && body.Rank == nil && body.Exemplar == nil {
		abort(c, http.StatusBadRequest, "send at least one of label, rank and exemplar")
		return
	}
	if body.Label != nil && strings.TrimSpace(*body.Label) == "" {
		abort(c, http.StatusBadRequest, "label must be a non-empty string")
		return
	}
	h, err := s.cat.EditHotspot(c.Request.Context(), p.head.Name, id,
		catalog.HotspotEdit{Label: body.Label, Rank: body.Rank, Exemplar: body.Exemplar})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// hotspotTarget reads the ready {plot} and the {id} of a hotspot route,
// answering the error itself when either is wrong.
func (s *Server) hotspotTarget(c *gin.Context) (plotState, int, bool) {
	id, ok := hotspotID(c)
	if !ok {
		return plotState{}, 0, false
	}
	p, ok := s.readyPlot(c)
	return p, id, ok
}

// hotspotID reads the {id} of a hotspot route; 400 unless a whole number.
func hotspotID(c *gin.Context) (int, bool) {
	var id int
	if _, err := fmt.Sscan(c.Param("id"), &id); err != nil || fmt.Sprint(id) != c.Param("id") || id < 0 {
		abort(c, http.StatusBadRequest, "hotspot id %q is not a whole number", clip(c.Param("id")))
		return 0, false
	}
	return id, true
}
