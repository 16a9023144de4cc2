package ingest

import (
	"strings"
	"sync"

	"github.com/pixplot/pixplot/catalog"
)

func knownImages(sources map[string]struct{}) map[string]catalog.KnownImage {
	out := map[string]catalog.KnownImage{}
	for s := range sources {
		out[s] = catalog.KnownImage{}
	}
	return out
}

// syncWriter serialises writes from the progress goroutine and the test.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) lines() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Count(w.b.String(), "\n")
}
