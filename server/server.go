// Package server is pixplot's HTTP server: the JSON API of viewer/API.md over
// a catalog, and the embedded viewer at the root. It is transport only: every
// handler turns a request into catalog (or plot job) calls and their results
// into JSON, JPEG or float32 bytes.
//
// Reads go to the catalog's read pool, so many run at once; writes (plot
// creation, hotspot edits) go through the catalog's single writer. A
// read-only server answers every write with 403 before reading its body.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/modelstore"
)

// Limits and timeouts; Options override the ones that are fields there.
const (
	// DefaultMaxUploadBytes bounds an image uploaded for similarity search.
	DefaultMaxUploadBytes = 20 << 20
	// maxJSONBodyBytes bounds JSON request bodies (plot creation, labels).
	maxJSONBodyBytes = 64 << 10
	// maxURIBytes bounds the request target; longer ones get 414.
	maxURIBytes = 8 << 10
	// maxHeaderBytes bounds the request line and headers together (net/http
	// answers 431 past it, so it is well above maxURIBytes).
	maxHeaderBytes = 64 << 10

	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute // a 20 MB upload on a slow link
	writeTimeout      = 5 * time.Minute // a similarity search over a million images
	idleTimeout       = 2 * time.Minute
	// DefaultShutdownTimeout is how long Serve waits for requests in flight
	// once asked to stop.
	DefaultShutdownTimeout = 30 * time.Second
)

// Options configure a Server.
type Options struct {
	// ReadOnly refuses every write (POST, PATCH, upload search) with 403.
	ReadOnly bool
	// ReadOnlyReason completes the 403 message ("started with --read-only").
	ReadOnlyReason string
	// MaxUploadBytes bounds an uploaded image (default DefaultMaxUploadBytes); larger gets 413.
	MaxUploadBytes int64
	// Models is where upload search finds the catalog's built-in model.
	Models modelstore.Store
	// ModelFile is the .onnx file of the catalog's active model when it is not
	// built in; its sha256 must equal the catalog's record of it.
	ModelFile string
	// Plot computes plots created through the API; nil refuses plot creation
	// with 501. It must be the code path `pixplot plot` runs.
	Plot PlotFunc
	// PlotQueue is how many created plots may wait while one is computed (default 4);
	// beyond it POST /api/plots answers 503.
	PlotQueue int
	// Log receives the request log and server messages; nil discards them.
	Log io.Writer
	// ShutdownTimeout bounds how long Serve waits for requests in flight (default DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
}

// Server answers the API over one catalog. Create it with New; it is safe for
// concurrent use.
type Server struct {
	cat    *catalog.Catalog
	opt    Options
	engine *gin.Engine
	logger *log.Logger
	jobs   *jobQueue
	embed  *uploadEmbedder
	plots  *plotCache

	closeOnce sync.Once
}

// New returns a server over cat, which stays the caller's to close (after
// Close or Serve returned).
func New(cat *catalog.Catalog, opt Options) *Server {
	if opt.MaxUploadBytes <= 0 {
		opt.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if opt.PlotQueue <= 0 {
		opt.PlotQueue = 4
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.ShutdownTimeout <= 0 {
		opt.ShutdownTimeout = DefaultShutdownTimeout
	}
	s := &Server{cat: cat, opt: opt, logger: log.New(opt.Log, "pixplot serve: ", log.LstdFlags)}
	s.jobs = newJobQueue(s, opt.PlotQueue)
	s.embed = newUploadEmbedder(opt.Models, opt.ModelFile)
	s.plots = newPlotCache()
	s.engine = s.routes()
	return s
}

func (s *Server) logf(format string, args ...any) { s.logger.Printf(format, args...) }

// Handler is the server's http.Handler: the API under /api/ and the viewer at /.
func (s *Server) Handler() http.Handler { return s.engine }

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.limitURI, gin.LoggerWithConfig(gin.LoggerConfig{Output: s.opt.Log, Formatter: logLine}), s.recovery(), s.guardWrites)

	api := e.Group("/api")
	api.GET("/config", s.getConfig)
	api.GET("/plots", s.listPlots)
	api.POST("/plots", s.createPlot)
	api.GET("/plots/:plot", s.getPlot)
	api.GET("/plots/:plot/layouts/:layout", s.getLayout)
	api.GET("/plots/:plot/cells", s.getCells)
	api.GET("/plots/:plot/meta", s.getMeta)
	api.GET("/plots/:plot/atlases/:index", s.getAtlas)
	api.POST("/plots/:plot/hotspots", s.createHotspot)
	api.PATCH("/plots/:plot/hotspots/:id", s.editHotspot)
	api.DELETE("/plots/:plot/hotspots/:id", s.deleteHotspot)
	api.GET("/images/:id", s.getImage)
	api.GET("/images/:id/thumb", s.getThumb)
	api.GET("/images/:id/similar", s.similarToImage)
	api.POST("/similar", s.similarToUpload)
	api.GET("/search", s.search)

	e.NoRoute(s.serveViewer)
	e.NoMethod(func(c *gin.Context) {
		abort(c, http.StatusMethodNotAllowed, "%s is not allowed on %s", c.Request.Method, c.Request.URL.Path)
	})
	return e
}

// logLine is one request in the log: time, method, target (shortened),
// status, duration, bytes sent and client.
func logLine(p gin.LogFormatterParams) string {
	return fmt.Sprintf("%s %s %s %d %v %dB %s %s\n", p.TimeStamp.Format("2006/01/02 15:04:05"), p.Method, clip(p.Path),
		p.StatusCode, p.Latency.Round(time.Microsecond), p.BodySize, p.ClientIP, p.ErrorMessage)
}

// limitURI answers 414 to request targets longer than maxURIBytes, before
// anything parses them.
func (s *Server) limitURI(c *gin.Context) {
	if len(c.Request.RequestURI) > maxURIBytes {
		abort(c, http.StatusRequestURITooLong, "the request URI is longer than %d bytes", maxURIBytes)
	}
}

// guardWrites answers every write on a read-only server with 403, before its
// body is read.
func (s *Server) guardWrites(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return
	}
	if s.opt.ReadOnly {
		abort(c, http.StatusForbidden, "%s", s.readOnlyMessage())
	}
}

func (s *Server) readOnlyMessage() string {
	msg := "this pixplot server is read-only"
	if s.opt.ReadOnlyReason != "" {
		msg += ": " + s.opt.ReadOnlyReason
	}
	return msg
}

// configBody is GET /api/config.
type configBody struct {
	ReadOnly bool `json:"read_only"`
	Static   bool `json:"static"`
}

func (s *Server) getConfig(c *gin.Context) {
	c.JSON(http.StatusOK, configBody{ReadOnly: s.opt.ReadOnly})
}

// WriteAccess decides whether a server listening on addr accepts writes: not
// with readOnly, and not on an address other machines can reach unless
// allowWrites. reason says why writes are refused ("" when they are not).
func WriteAccess(addr string, readOnly, allowWrites bool) (refuse bool, reason string) {
	switch {
	case readOnly:
		return true, "started with --read-only"
	case !allowWrites && !IsLoopback(addr):
		return true, fmt.Sprintf("listening on %s, which other machines can reach; start it with --allow-writes to allow changes", addr)
	}
	return false, ""
}

// IsLoopback reports whether addr (host:port) only accepts connections from
// this machine: localhost or a loopback IP. An empty host listens everywhere.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewHTTPServer is an http.Server for h with pixplot's limits: timeouts on
// reading headers and bodies (so slow clients cannot pin connections),
// writing and idling, and on header size.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// Serve answers requests on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets requests in flight finish (up to ShutdownTimeout),
// and cancels running plot jobs, which end as failed. The catalog is left open
// for the caller to close.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := NewHTTPServer(s.Handler())
	hs.ErrorLog = s.logger
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.logf("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opt.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = hs.Close()
	}
	s.Close()
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// Close cancels running and queued plot jobs and waits for them to end (as
// failed), and releases the upload embedder. It does not close the catalog.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.jobs.close(s.opt.ShutdownTimeout)
		err = s.embed.close()
	})
	return err
}
