package ingest

import (
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/internal/imagetest"
)

// iiifServer is a local IIIF provider: the fixture manifests and collections
// of ingest/iiif/testdata, an Image API (v2 and v3 paths) that scales real
// images to the requested size, static image files, and a few failure modes.
type iiifServer struct {
	*httptest.Server
	t        *testing.T
	images   map[string][]byte // image id or static file name → encoded bytes
	mu       sync.Mutex
	requests []string // paths asked for, in order
}

// newIIIFServer serves images (id → encoded image bytes). Image ids are used
// by both the Image API (/iiif/image/<id>/…, /iiif/image3/<id>/…) and /static/<id>.
func newIIIFServer(t *testing.T, images map[string][]byte) *iiifServer {
	s := &iiifServer{t: t, images: images}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

var fixtureDocs = map[string]string{
	"/iiif/v2/ms-187/manifest.json": "manifest-v2.json",
	"/iiif/v3/album-12/manifest":    "manifest-v3.json",
	"/iiif/collection-v2.json":      "collection-v2.json",
	"/iiif/collection-v3.json":      "collection-v3.json",
}

var imageAPIPath = regexp.MustCompile(`^/iiif/(image|image3)/([^/]+)/full/([^/]+)/0/default\.jpg$`)

func (s *iiifServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path)
	s.mu.Unlock()
	if doc, ok := fixtureDocs[r.URL.Path]; ok {
		data, err := os.ReadFile("iiif/testdata/" + doc)
		if err != nil {
			s.t.Error(err)
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json")
		w.Write([]byte(strings.ReplaceAll(string(data), "{{BASE}}", s.URL)))
		return
	}
	if m := imageAPIPath.FindStringSubmatch(r.URL.Path); m != nil {
		s.serveImageAPI(w, m[2], m[3])
		return
	}
	if name, ok := strings.CutPrefix(r.URL.Path, "/static/"); ok {
		if data, ok := s.images[name]; ok {
			w.Write(data)
			return
		}
	}
	switch r.URL.Path {
	case "/page.html":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><p>a catalogue page</p>"))
		return
	case "/unavailable":
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	http.NotFound(w, r)
}

// serveImageAPI answers full-region requests of sizes full, max, w, ,h and !w,h.
func (s *iiifServer) serveImageAPI(w http.ResponseWriter, id, size string) {
	data, ok := s.images[id]
	if !ok {
		http.NotFound(w, nil)
		return
	}
	dec, err := imagecodec.Decode(data, imagecodec.Options{})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	iw, ih := dec.Width, dec.Height
	tw, th, ok := requestedSize(size, iw, ih)
	if !ok || tw > iw || th > ih {
		http.Error(w, "size not supported: "+size, http.StatusBadRequest)
		return
	}
	out, err := imagecodec.EncodeJPEG(imagecodec.Resize(dec.Image, tw, th), 90)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(out)
}

func requestedSize(size string, iw, ih int) (int, int, bool) {
	if size == "full" || size == "max" {
		return iw, ih, true
	}
	confined := strings.HasPrefix(size, "!")
	ws, hs, ok := strings.Cut(strings.TrimPrefix(size, "!"), ",")
	if !ok {
		return 0, 0, false
	}
	wv, werr := strconv.Atoi(ws)
	hv, herr := strconv.Atoi(hs)
	switch {
	case confined && werr == nil && herr == nil:
		scale := min(float64(wv)/float64(iw), float64(hv)/float64(ih))
		return max(1, int(float64(iw)*scale)), max(1, int(float64(ih)*scale)), true
	case ws == "" && herr == nil:
		return max(1, iw*hv/ih), hv, true
	case hs == "" && werr == nil:
		return wv, max(1, ih*wv/iw), true
	}
	return 0, 0, false
}

func (s *iiifServer) requested() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// encodedPNG is a real PNG of a w×h gradient, for sniffing and discovery tests
// that need image bytes but no particular picture.
func encodedPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return imagetest.EncodePNG(t, img)
}
