package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot/catalog"
)

// errorBody is every error answer: {"error": "message"} (API.md).
type errorBody struct {
	Error string `json:"error"`
}

// abort answers a JSON error with status and stops the handler chain.
func abort(c *gin.Context, status int, format string, args ...any) {
	c.AbortWithStatusJSON(status, errorBody{Error: fmt.Sprintf(format, args...)})
}

// fail answers err with the status its kind calls for. Messages of expected
// errors (not found, invalid, read-only) are written for a person and shown
// as they are; anything else is logged and answered with a generic 500, so
// internal details (file paths, SQL) do not leak.
func (s *Server) fail(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	var badFilter *catalog.FilterError
	switch {
	case errors.As(err, &badFilter):
		abort(c, http.StatusBadRequest, "filter: %s", badFilter.Msg)
	case errors.As(err, &tooBig):
		abort(c, http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, catalog.ErrPlotNotReady), errors.Is(err, catalog.ErrPlotExists), errors.Is(err, catalog.ErrPlotBusy):
		abort(c, http.StatusConflict, "%s", err.Error())
	case errors.Is(err, catalog.ErrNotFound):
		abort(c, http.StatusNotFound, "%s", err.Error())
	case errors.Is(err, catalog.ErrInvalid), errors.Is(err, catalog.ErrWrongDims):
		abort(c, http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, catalog.ErrReadOnly):
		abort(c, http.StatusForbidden, "%s", s.readOnlyMessage())
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		c.AbortWithStatus(499)
	case errors.Is(err, context.DeadlineExceeded):
		abort(c, http.StatusServiceUnavailable, "the request took too long")
	default:
		s.logf("%s %s: %v", c.Request.Method, c.Request.URL.Path, err)
		abort(c, http.StatusInternalServerError, "internal error (see the server log)")
	}
}

// recovery answers a panic with a JSON 500 and logs it. Handlers validate
// their input and must not rely on this; it only keeps one bad request from
// taking the server down.
func (s *Server) recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(s.opt.Log, func(c *gin.Context, recovered any) {
		s.logf("panic serving %s %s: %v", c.Request.Method, c.Request.URL.Path, recovered)
		abort(c, http.StatusInternalServerError, "internal error (see the server log)")
	})
}
