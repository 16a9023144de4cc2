package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/ingest"
	"github.com/pixplot/pixplot/modelstore"
)

// Neighbour counts a similarity request may ask for.
const (
	defaultSimilarK = 20
	maxSimilarK     = 500
)

// multipartOverhead is what a multipart body may hold beside the image:
// boundaries, part headers, small fields.
const multipartOverhead = 64 << 10

// similarK reads ?k=, 1 to maxSimilarK (default defaultSimilarK).
func similarK(c *gin.Context) (int, bool) {
	text, given := c.GetQuery("k")
	if !given {
		return defaultSimilarK, true
	}
	k, err := strconv.Atoi(text)
	if err != nil || k < 1 || k > maxSimilarK {
		abort(c, http.StatusBadRequest, "k %q: want a whole number from 1 to %d", clip(text), maxSimilarK)
		return 0, false
	}
	return k, true
}

// similarQuery reads what both similarity routes share: k, the optional plot
// (whose images bound the search) and the catalog's active model.
func (s *Server) similarQuery(c *gin.Context) (k int, opt catalog.SimilarOptions, model pixplot.Model, ok bool) {
	if k, ok = similarK(c); !ok {
		return
	}
	plot, ok := s.optionalPlot(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if plot != "" {
		ids, err := s.plotImageIDs(ctx, plot)
		if err != nil {
			s.fail(c, err)
			return k, opt, model, false
		}
		opt.Within = ids
	}
	model, err := s.cat.ActiveModel(ctx)
	if err != nil {
		s.fail(c, err)
		return k, opt, model, false
	}
	return k, opt, model, true
}

// similarToImage is GET /api/images/{id}/similar?k=20[&plot=NAME]: the images
// nearest to image id by the active model, nearest first, itself excluded.
func (s *Server) similarToImage(c *gin.Context) {
	id, ok := imageID(c)
	if !ok {
		return
	}
	k, opt, model, ok := s.similarQuery(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := s.cat.Image(ctx, id); err != nil {
		s.fail(c, err)
		return
	}
	vec, err := s.cat.Vector(ctx, model.ID, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	opt.Exclude = id
	s.answerSimilar(c, model, vec, k, opt)
}

func (s *Server) answerSimilar(c *gin.Context, model pixplot.Model, vec []float32, k int, opt catalog.SimilarOptions) {
	found, err := s.cat.Similar(c.Request.Context(), model.ID, vec, k, opt)
	if err != nil {
		s.fail(c, err)
		return
	}
	if found == nil {
		found = []pixplot.Neighbor{}
	}
	c.JSON(http.StatusOK, found)
}

// similarToUpload is POST /api/similar?k=20[&plot=NAME] with a multipart
// file field "image": the images nearest to the uploaded one.
func (s *Server) similarToUpload(c *gin.Context) {
	limit := s.opt.MaxUploadBytes
	if c.Request.ContentLength > limit+multipartOverhead {
		abort(c, http.StatusRequestEntityTooLarge, "the upload is larger than %d bytes", limit)
		return
	}
	k, opt, model, ok := s.similarQuery(c)
	if !ok {
		return
	}
	data, ok := s.readUpload(c, limit)
	if !ok {
		return
	}
	vec, err := s.embed.vector(c.Request.Context(), model, data)
	var bad *badUpload
	switch {
	case errors.As(err, &bad):
		abort(c, http.StatusBadRequest, "%s", bad.Error())
		return
	case err != nil && c.Request.Context().Err() == nil && !errors.Is(err, context.DeadlineExceeded):
		s.logf("upload search: %v", err)
		abort(c, http.StatusServiceUnavailable, "upload search is unavailable: %v", err)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.answerSimilar(c, model, vec, k, opt)
}

// readUpload returns the bytes of the multipart file field "image", at most
// limit of them (413 past it).
func (s *Server) readUpload(c *gin.Context, limit int64) ([]byte, bool) {
	mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		abort(c, http.StatusBadRequest, "send the image as multipart/form-data with a file field named image")
		return nil, false
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+multipartOverhead)
	parts, err := c.Request.MultipartReader()
	if err != nil {
		abort(c, http.StatusBadRequest, "multipart body: %v", err)
		return nil, false
	}
	for {
		part, err := parts.NextPart()
		if errors.Is(err, io.EOF) {
			abort(c, http.StatusBadRequest, "the multipart body has no file field named image")
			return nil, false
		}
		if err != nil {
			s.failBody(c, err)
			return nil, false
		}
		if part.FormName() != "image" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			s.failBody(c, err)
			return nil, false
		}
		if int64(len(data)) > limit {
			abort(c, http.StatusRequestEntityTooLarge, "the uploaded image is larger than %d bytes", limit)
			return nil, false
		}
		if len(data) == 0 {
			abort(c, http.StatusBadRequest, "the uploaded image is empty")
			return nil, false
		}
		return data, true
	}
}

// failBody answers an error met while reading a request body: 413 past the
// size limit, else 400.
func (s *Server) failBody(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.fail(c, err)
		return
	}
	abort(c, http.StatusBadRequest, "reading the request body: %v", err)
}

// uploadEmbedder embeds uploaded images with the catalog's active model. The
// ONNX session is heavy, so it is opened on the first upload and reused; it is
// reopened only if the active model changes. Uploads are embedded one at a
// time: the session uses every core anyway, and this bounds the memory that
// decoded uploads take.
type uploadEmbedder struct {
	models    modelstore.Store
	modelFile string

	mu    chan struct{} // a lock that waiting requests can give up on
	emb   *embed.Embedder
	model pixplot.Model
}

func newUploadEmbedder(models modelstore.Store, modelFile string) *uploadEmbedder {
	return &uploadEmbedder{models: models, modelFile: modelFile, mu: make(chan struct{}, 1)}
}

// badUpload is an uploaded file that is not a usable image.
type badUpload struct{ err error }

func (b *badUpload) Error() string { return "uploaded file: " + b.err.Error() }

// vector decodes an uploaded file and embeds it with model. A file that is
// not a usable image is a *badUpload.
func (u *uploadEmbedder) vector(ctx context.Context, model pixplot.Model, data []byte) ([]float32, error) {
	select {
	case u.mu <- struct{}{}:
		defer func() { <-u.mu }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	emb, err := u.open(ctx, model)
	if err != nil {
		return nil, err
	}
	vec, err := ingest.EmbedImage(emb, data, 0)
	for _, bad := range []error{imagecodec.ErrNotImage, imagecodec.ErrUnsupported, imagecodec.ErrTooLarge, imagecodec.ErrCorrupt} {
		if errors.Is(err, bad) {
			return nil, &badUpload{err}
		}
	}
	return vec, err
}

// open returns the embedder for model, opening it (and closing one of another
// model) when needed. u.mu is held.
func (u *uploadEmbedder) open(ctx context.Context, model pixplot.Model) (*embed.Embedder, error) {
	if u.emb != nil && u.model.ID == model.ID && u.model.SHA256 == model.SHA256 {
		return u.emb, nil
	}
	if u.emb != nil {
		_ = u.emb.Close()
		u.emb = nil
	}
	located, err := u.models.Locate(ctx, model, u.modelFile)
	if err != nil {
		return nil, err
	}
	emb, err := u.models.Open(ctx, located, embed.Options{BatchSize: 1})
	if err != nil {
		return nil, err
	}
	u.emb, u.model = emb, model
	return emb, nil
}

// close releases the embedder once no upload uses it.
func (u *uploadEmbedder) close() error {
	u.mu <- struct{}{}
	defer func() { <-u.mu }()
	if u.emb == nil {
		return nil
	}
	err := u.emb.Close()
	u.emb = nil
	return err
}
