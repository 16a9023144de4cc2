package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pixplot/pixplot/internal/imagetest"
	"github.com/pixplot/pixplot/server/servertest"
)

type neighbor struct {
	ID       int64    `json:"id"`
	Filename string   `json:"filename"`
	Distance *float64 `json:"distance"`
}

// checkNearestFirst fails unless found are k distinct other images, nearest first.
func checkNearestFirst(t *testing.T, found []neighbor, k int, self int64) {
	t.Helper()
	if len(found) != k {
		t.Fatalf("%d neighbours, want %d", len(found), k)
	}
	seen := map[int64]bool{}
	for i, n := range found {
		if n.ID == self || seen[n.ID] || n.Filename == "" || n.Distance == nil || *n.Distance < -1e-6 || *n.Distance > 2 {
			t.Fatalf("neighbour %d: %+v", i, n)
		}
		if i > 0 && *n.Distance < *found[i-1].Distance {
			t.Fatalf("not nearest first at %d: %v after %v", i, *n.Distance, *found[i-1].Distance)
		}
		seen[n.ID] = true
	}
}

func TestSimilarByID_NearestFirstWithoutItselfWithinThePlot(t *testing.T) {
	cat := openCatalog(t, false)
	_, url := serve(t, cat, Options{})
	small := sendJSON(t, "POST", url+"/api/plots", map[string]any{"name": "first30", "where": "id <= 30"})
	wantStatus(t, "create", small, http.StatusAccepted)
	waitReady(t, url, "first30")

	id := int64(31)
	var all []neighbor
	getJSON(t, fmt.Sprintf("%s/api/images/%d/similar?k=59", url, id), &all)
	checkNearestFirst(t, all, 59, id)
	var def []neighbor
	getJSON(t, fmt.Sprintf("%s/api/images/%d/similar", url, id), &def)
	checkNearestFirst(t, def, 20, id)

	var within []neighbor
	getJSON(t, fmt.Sprintf("%s/api/images/%d/similar?k=10&plot=first30", url, id), &within)
	checkNearestFirst(t, within, 10, id)
	var inPlot []neighbor
	for _, n := range all {
		if n.ID <= 30 {
			inPlot = append(inPlot, n)
		}
	}
	for i := range within {
		if within[i].ID != inPlot[i].ID {
			t.Fatalf("within the plot: %+v, want the first plot images of %+v", within, inPlot)
		}
	}

	for _, q := range []string{"k=0", "k=-3", "k=abc", "k=501", "k=99999999999999999999"} {
		wantStatus(t, q, get(t, fmt.Sprintf("%s/api/images/%d/similar?%s", url, id, q)), http.StatusBadRequest, "k")
	}
	wantStatus(t, "unknown image", get(t, url+"/api/images/99999/similar"), http.StatusNotFound)
}

// emojiFile reads one of the fixture's source images.
func emojiFile(t *testing.T) (name string, data []byte) {
	t.Helper()
	dir := servertest.ImagesDir(t)
	matches, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no emoji in %s: %v", dir, err)
	}
	data, err = os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(matches[0]), data
}

func TestSimilarByUpload_FindsTheCataloguedCopyFirst(t *testing.T) {
	url := writableServer(t, Options{})
	name, data := emojiFile(t)
	r := upload(t, url+"/api/similar?k=5&plot="+fixturePlot, "image", data)
	wantStatus(t, "upload", r, http.StatusOK)
	var found []neighbor
	decode(t, r, &found)
	if len(found) != 5 || found[0].Filename != name || *found[0].Distance > 1e-3 {
		t.Fatalf("uploading %s found %+v: want it first at distance ~0", name, found)
	}
	// A second upload reuses the loaded model.
	again := upload(t, url+"/api/similar?k=5", "image", data)
	wantStatus(t, "second upload", again, http.StatusOK)
}

func TestSimilarByUpload_RefusesWhatIsNotAnImageOrTooLarge(t *testing.T) {
	url := writableServer(t, Options{MaxUploadBytes: 64 << 10})
	_, data := emojiFile(t)
	wantStatus(t, "text file", upload(t, url+"/api/similar", "image", []byte("hello, not an image")), http.StatusBadRequest, "not an image")
	wantStatus(t, "truncated png", upload(t, url+"/api/similar", "image", data[:len(data)/3]), http.StatusBadRequest, "uploaded file")
	wantStatus(t, "empty file", upload(t, url+"/api/similar", "image", nil), http.StatusBadRequest, "empty")
	wantStatus(t, "other field", upload(t, url+"/api/similar", "file", data), http.StatusBadRequest, "image")
	wantStatus(t, "not multipart", do(t, "POST", url+"/api/similar", "image/png", bytes.NewReader(data)), http.StatusBadRequest, "multipart")
	wantStatus(t, "far over the limit", upload(t, url+"/api/similar", "image", bigPNG(t, 200<<10)), http.StatusRequestEntityTooLarge, "larger")
	wantStatus(t, "just over the limit", upload(t, url+"/api/similar", "image", bigPNG(t, 80<<10)), http.StatusRequestEntityTooLarge, "larger")
	wantStatus(t, "bad k", upload(t, url+"/api/similar?k=x", "image", data), http.StatusBadRequest, "k")
	wantStatus(t, "unknown plot", upload(t, url+"/api/similar?plot=nope", "image", data), http.StatusNotFound, "nope")
}

func TestSimilarByUpload_AModelFileOtherThanTheCatalogsIsRefused(t *testing.T) {
	name, data := emojiFile(t)
	url := writableServer(t, Options{ModelFile: filepath.Join(servertest.ImagesDir(t), name)})
	wantStatus(t, "wrong model file", upload(t, url+"/api/similar", "image", data), http.StatusServiceUnavailable, "sha256")
}

// bigPNG is a real PNG of at least n bytes (noise does not compress).
func bigPNG(t *testing.T, n int) []byte {
	t.Helper()
	side := 16
	for side*side*4 < 2*n {
		side *= 2
	}
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	state := uint32(1)
	for i := range img.Pix {
		state = state*1664525 + 1013904223
		img.Pix[i] = byte(state >> 24)
	}
	data := imagetest.EncodePNG(t, img)
	if len(data) < n {
		t.Fatalf("png of %d bytes", len(data))
	}
	return data
}

func writableServer(t *testing.T, opt Options) string {
	t.Helper()
	servertest.RequireModel(t)
	_, url := serve(t, openCatalog(t, false), opt)
	return url
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v in %s", err, r.body)
	}
}
