package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot"
)

// imageBody is GET /api/images/{id}: every column of the image, its tags and
// its extra metadata. Absent values are null (API.md).
type imageBody struct {
	ID          int64             `json:"id"`
	Filename    string            `json:"filename"`
	Path        string            `json:"path"`
	Source      string            `json:"source"`
	Width       int               `json:"width"`
	Height      int               `json:"height"`
	Format      string            `json:"format"`
	ByteSize    int64             `json:"byte_size"`
	SHA256      string            `json:"sha256"`
	Category    *string           `json:"category"`
	Description *string           `json:"description"`
	Permalink   *string           `json:"permalink"`
	Year        *int              `json:"year"`
	Label       *string           `json:"label"`
	Lat         *float64          `json:"lat"`
	Lng         *float64          `json:"lng"`
	X           *float64          `json:"x"`
	Y           *float64          `json:"y"`
	Tags        []string          `json:"tags"`
	Extra       map[string]string `json:"extra"`
	IngestedAt  string            `json:"ingested_at"`
}

func newImageBody(img pixplot.Image) imageBody {
	m := img.Meta
	b := imageBody{
		ID: img.ID, Filename: img.Filename, Path: img.Path, Source: img.Source,
		Width: img.Width, Height: img.Height, Format: img.Format, ByteSize: img.Bytes, SHA256: img.SHA256,
		Category: nullString(m.Category), Description: nullString(m.Description),
		Permalink: nullString(m.Permalink), Label: nullString(m.Label),
		Year: m.Year, Lat: m.Lat, Lng: m.Lng, X: m.X, Y: m.Y,
		Tags: m.Tags, Extra: m.Extra,
		IngestedAt: img.IngestedAt.UTC().Format(time.RFC3339),
	}
	if b.Tags == nil {
		b.Tags = []string{}
	}
	if b.Extra == nil {
		b.Extra = map[string]string{}
	}
	return b
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// imageID reads the {id} path parameter: a positive integer, else 400.
func imageID(c *gin.Context) (int64, bool) {
	text := c.Param("id")
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id < 1 {
		abort(c, http.StatusBadRequest, "image id %q is not a positive integer", clip(text))
		return 0, false
	}
	return id, true
}

// clip shortens user input quoted in an error message.
func clip(s string) string {
	const most = 80
	if len(s) <= most {
		return s
	}
	return s[:most] + "…"
}

func (s *Server) getImage(c *gin.Context) {
	id, ok := imageID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	img, err := s.cat.Image(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newImageBody(img))
}

// thumbSizes are the thumbnail sizes the API serves (the lod size is only
// packed into atlases).
var thumbSizes = map[string]bool{pixplot.ThumbCell: true, pixplot.ThumbPreview: true}

func (s *Server) getThumb(c *gin.Context) {
	id, ok := imageID(c)
	if !ok {
		return
	}
	size := c.Query("size")
	if size == "" {
		size = pixplot.ThumbPreview
	}
	if !thumbSizes[size] {
		abort(c, http.StatusBadRequest, "thumbnail size %q: want cell or preview", clip(size))
		return
	}
	t, err := s.cat.Thumbnail(c.Request.Context(), id, size)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "image/jpeg", t.JPEG)
}
