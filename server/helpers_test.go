package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/server/servertest"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	code := m.Run()
	servertest.Cleanup()
	os.Exit(code)
}

// fixturePlot is the fixture's ready plot of every image.
const fixturePlot = servertest.PlotName

// testPlotFunc computes plots as `pixplot plot` does, with the fixture's options.
func testPlotFunc(ctx context.Context, cat *catalog.Catalog, req PlotRequest) error {
	req.Options.Threads = 2
	return servertest.Plot(ctx, cat, req.Name, req.Filter, req.Options)
}

// openCatalog opens a copy of the fixture.
func openCatalog(t *testing.T, readOnly bool) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(servertest.Copy(t), catalog.Options{ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

// servePersisting serves a writable copy of the fixture. reopen closes it
// and serves the file again from a fresh read-only open, so that a test sees
// what was stored rather than what the first server holds.
func servePersisting(t *testing.T) (url string, reopen func() string) {
	t.Helper()
	path := servertest.Copy(t)
	cat, err := catalog.Open(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, url = serve(t, cat, Options{})
	return url, func() string {
		t.Helper()
		cat.Close()
		reopened, err := catalog.Open(path, catalog.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { reopened.Close() })
		_, url2 := serve(t, reopened, Options{ReadOnly: true})
		return url2
	}
}

// serve starts a server with opt over cat on a real loopback listener, with
// the limits and timeouts `pixplot serve` uses.
func serve(t *testing.T, cat *catalog.Catalog, opt Options) (*Server, string) {
	t.Helper()
	if opt.Models.Dir == "" {
		opt.Models = modelstore.Default(nil)
	}
	if opt.Plot == nil {
		opt.Plot = testPlotFunc
	}
	srv := New(cat, opt)
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config = NewHTTPServer(srv.Handler())
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, hs.URL
}

// response is one answer: status, headers and body.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) errorMessage(t *testing.T) string {
	t.Helper()
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == nil {
		t.Fatalf("status %d with body %q: want {\"error\": ...}", r.status, r.body)
	}
	return *e.Error
}

func do(t *testing.T, method, url, contentType string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func get(t *testing.T, url string) response { t.Helper(); return do(t, "GET", url, "", nil) }

func sendJSON(t *testing.T, method, url string, v any) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, method, url, "application/json", bytes.NewReader(b))
}

// getJSON fetches url, expects 200 and decodes the body into v.
func getJSON(t *testing.T, url string, v any) response {
	t.Helper()
	r := get(t, url)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, r.body)
	}
	return r
}

// upload posts data as the multipart file field named field.
func upload(t *testing.T, url, field string, data []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, "query.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return do(t, "POST", url, mw.FormDataContentType(), &buf)
}

// wantStatus fails unless r has status; for errors it also checks the JSON
// error body and that its message contains every part.
func wantStatus(t *testing.T, what string, r response, status int, parts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d (%s), want %d", what, r.status, r.body, status)
	}
	if status < 400 {
		return
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error with Content-Type %q, want JSON", what, ct)
	}
	msg := r.errorMessage(t)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s: error %q does not mention %q", what, msg, p)
		}
	}
}
