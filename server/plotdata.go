package server

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot/catalog"
)

// A ready plot's results never change (only hotspot labels do, and they are
// not cached), so what every manifest and similar-within-plot request needs
// is read once per plot version. A plot recomputed under the same name is a
// new version: its row has another id or creation time.

// frozenPlot is the unchanging part of a ready plot.
type frozenPlot struct {
	version string // identifies the plot's row; also the ETag of its data
	images  []int64
	layouts []layoutHead
	atlases []atlasHead
}

// plotCache holds the frozen part of ready plots by name.
type plotCache struct {
	mu    sync.Mutex
	plots map[string]*frozenPlot
}

func newPlotCache() *plotCache { return &plotCache{plots: map[string]*frozenPlot{}} }

// maxCachedPlots bounds the cache; past it, it starts over.
const maxCachedPlots = 64

// plotVersion identifies one computation of a plot.
func plotVersion(info catalog.PlotInfo) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%s\x00%s", info.ID, info.Name,
		info.CreatedAt.Format("2006-01-02T15:04:05.000Z"), info.Fingerprint))
	return hex.EncodeToString(sum[:8])
}

// get returns the frozen part of the ready plot info, reading it on first use.
func (pc *plotCache) get(ctx context.Context, cat *catalog.Catalog, info catalog.PlotInfo) (*frozenPlot, error) {
	version := plotVersion(info)
	pc.mu.Lock()
	f, ok := pc.plots[info.Name]
	pc.mu.Unlock()
	if ok && f.version == version {
		return f, nil
	}
	f, err := readFrozen(ctx, cat, info, version)
	if err != nil {
		return nil, err
	}
	pc.mu.Lock()
	if len(pc.plots) >= maxCachedPlots {
		pc.plots = map[string]*frozenPlot{}
	}
	pc.plots[info.Name] = f
	pc.mu.Unlock()
	return f, nil
}

func readFrozen(ctx context.Context, cat *catalog.Catalog, info catalog.PlotInfo, version string) (*frozenPlot, error) {
	f := &frozenPlot{version: version, layouts: []layoutHead{}, atlases: []atlasHead{}}
	var err error
	if f.images, err = cat.PlotImages(ctx, info.Name); err != nil {
		return nil, err
	}
	for _, name := range info.Layouts {
		l, err := cat.PlotLayout(ctx, info.Name, name)
		if err != nil {
			return nil, err
		}
		f.layouts = append(f.layouts, layoutHead{Name: name, Labels: l.Labels, Variant: l.Variant})
	}
	for _, tier := range info.Tiers {
		t, err := cat.PlotTier(ctx, info.Name, tier)
		if err != nil {
			return nil, err
		}
		side := 0
		for _, s := range t.Sheets {
			side = max(side, s.Width, s.Height)
		}
		f.atlases = append(f.atlases, atlasHead{CellSize: tier, Size: side, Count: len(t.Sheets)})
	}
	return f, nil
}

// frozenData is readyPlot plus the plot's frozen part, answering 304 when
// the client's copy (If-None-Match) is current. Plot data may be cached
// briefly; the ETag makes a recomputed plot show.
func (s *Server) frozenData(c *gin.Context) (plotState, *frozenPlot, bool) {
	p, ok := s.readyPlot(c)
	if !ok {
		return p, nil, false
	}
	f, err := s.plots.get(c.Request.Context(), s.cat, *p.info)
	if err != nil {
		s.fail(c, err)
		return p, nil, false
	}
	etag := `"` + f.version + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=300")
	if match := c.GetHeader("If-None-Match"); match != "" && strings.Contains(match, etag) {
		c.AbortWithStatus(http.StatusNotModified)
		return p, nil, false
	}
	return p, f, true
}

// getLayout is GET /api/plots/{plot}/layouts/{layout}: little-endian float32
// x, y pairs in plot order, or with ?format=json a flat array with null for NaN.
func (s *Server) getLayout(c *gin.Context) {
	format := c.DefaultQuery("format", "binary")
	if format != "binary" && format != "json" {
		abort(c, http.StatusBadRequest, "format %q: want json, or none for binary", clip(format))
		return
	}
	p, f, ok := s.frozenData(c)
	if !ok {
		return
	}
	name := c.Param("layout")
	known := false
	for _, l := range f.layouts {
		known = known || l.Name == name
	}
	if !known {
		abort(c, http.StatusNotFound, "plot %s has no layout %q (it has %s)", p.head.Name, clip(name), layoutNames(f))
		return
	}
	l, err := s.cat.PlotLayout(c.Request.Context(), p.head.Name, name)
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "json" {
		c.JSON(http.StatusOK, nullableFloats(l.Positions))
		return
	}
	b := make([]byte, 4*len(l.Positions))
	for i, v := range l.Positions {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	c.Data(http.StatusOK, "application/octet-stream", b)
}

func layoutNames(f *frozenPlot) string {
	var names []string
	for _, l := range f.layouts {
		names = append(names, l.Name)
	}
	return strings.Join(names, ", ")
}

// nullableFloats is positions as JSON numbers, NaN (and infinities) as null.
func nullableFloats(v []float32) []*float32 {
	out := make([]*float32, len(v))
	for i := range v {
		if f := float64(v[i]); !math.IsNaN(f) && !math.IsInf(f, 0) {
			out[i] = &v[i]
		}
	}
	return out
}

// cellsBody is GET /api/plots/{plot}/cells?tier=T: parallel arrays in plot order.
type cellsBody struct {
	Tier  int   `json:"tier"`
	Atlas []int `json:"atlas"`
	X     []int `json:"x"`
	Y     []int `json:"y"`
	W     []int `json:"w"`
	H     []int `json:"h"`
}

// tierParam reads ?tier= (a cell size of the plot), defaulting to the base
// (smallest) tier.
func tierParam(c *gin.Context, p plotState, f *frozenPlot) (int, bool) {
	text, given := c.GetQuery("tier")
	if !given && len(f.atlases) > 0 {
		return f.atlases[0].CellSize, true
	}
	tier, err := strconv.Atoi(text)
	if err != nil {
		abort(c, http.StatusBadRequest, "tier %q is not a cell size in px", clip(text))
		return 0, false
	}
	for _, a := range f.atlases {
		if a.CellSize == tier {
			return tier, true
		}
	}
	abort(c, http.StatusNotFound, "plot %s has no atlas tier %d", p.head.Name, tier)
	return 0, false
}

func (s *Server) getCells(c *gin.Context) {
	p, f, ok := s.frozenData(c)
	if !ok {
		return
	}
	tier, ok := tierParam(c, p, f)
	if !ok {
		return
	}
	t, err := s.cat.PlotTier(c.Request.Context(), p.head.Name, tier)
	if err != nil {
		s.fail(c, err)
		return
	}
	n := len(t.Cells)
	body := cellsBody{Tier: tier, Atlas: make([]int, n), X: make([]int, n), Y: make([]int, n), W: make([]int, n), H: make([]int, n)}
	for i, cell := range t.Cells {
		body.Atlas[i], body.X[i], body.Y[i], body.W[i], body.H[i] = cell.Atlas, cell.X, cell.Y, cell.W, cell.H
	}
	c.JSON(http.StatusOK, body)
}

// getAtlas is GET /api/plots/{plot}/atlases/{i}?tier=T: the JPEG.
func (s *Server) getAtlas(c *gin.Context) {
	p, f, ok := s.frozenData(c)
	if !ok {
		return
	}
	tier, ok := tierParam(c, p, f)
	if !ok {
		return
	}
	text := c.Param("index")
	index, err := strconv.Atoi(text)
	if err != nil || index < 0 {
		abort(c, http.StatusBadRequest, "atlas index %q is not a whole number", clip(text))
		return
	}
	jpeg, err := s.cat.PlotAtlas(c.Request.Context(), p.head.Name, tier, index)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "image/jpeg", jpeg)
}

// metaBody is GET /api/plots/{plot}/meta: the per-image table for filters,
// tooltips and static search, in plot order.
type metaBody struct {
	Filename   []string `json:"filename"`
	Categories []string `json:"categories"`
	Category   []int    `json:"category"`
	Year       []*int   `json:"year"`
	Tags       []string `json:"tags"`
	TagIDs     [][]int  `json:"tag_ids"`
}

func (s *Server) getMeta(c *gin.Context) {
	p, _, ok := s.frozenData(c)
	if !ok {
		return
	}
	rows, err := s.cat.PlotMeta(c.Request.Context(), p.head.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newMetaBody(rows))
}

// newMetaBody indexes categories and tags in order of first appearance.
func newMetaBody(rows []catalog.PlotImageMeta) metaBody {
	n := len(rows)
	b := metaBody{Filename: make([]string, n), Categories: []string{}, Category: make([]int, n),
		Year: make([]*int, n), Tags: []string{}, TagIDs: make([][]int, n)}
	categories, tags := map[string]int{}, map[string]int{}
	index := func(seen map[string]int, list *[]string, v string) int {
		i, ok := seen[v]
		if !ok {
			i = len(*list)
			seen[v] = i
			*list = append(*list, v)
		}
		return i
	}
	for i, r := range rows {
		b.Filename[i], b.Year[i] = r.Filename, r.Year
		b.Category[i] = -1
		if r.Category != "" {
			b.Category[i] = index(categories, &b.Categories, r.Category)
		}
		b.TagIDs[i] = make([]int, len(r.Tags))
		for j, t := range r.Tags {
			b.TagIDs[i][j] = index(tags, &b.Tags, t)
		}
	}
	return b
}
