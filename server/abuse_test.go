package server

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/server/servertest"
)

// abusedServer is a server under abuse: its address and its log, which must
// never show a panic.
type abusedServer struct {
	url string
	log *syncBuffer
}

// startAbusedServer serves a copy of the fixture with the limits and
// timeouts of `pixplot serve`; tune adjusts the http.Server first.
func startAbusedServer(t *testing.T, readOnly bool, opt Options, tune func(*http.Server)) abusedServer {
	t.Helper()
	servertest.RequireModel(t)
	log := &syncBuffer{}
	opt.Log, opt.ReadOnly = log, readOnly
	if opt.Models.Dir == "" {
		opt.Models = modelstore.Default(nil)
	}
	if opt.Plot == nil {
		opt.Plot = testPlotFunc
	}
	srv := New(openCatalog(t, readOnly), opt)
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config = NewHTTPServer(srv.Handler())
	if tune != nil {
		tune(hs.Config)
	}
	hs.Start()
	s := abusedServer{url: hs.URL, log: log}
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
		s.checkNoPanic(t)
	})
	return s
}

func (s abusedServer) checkNoPanic(t *testing.T) {
	t.Helper()
	if strings.Contains(strings.ToLower(s.log.String()), "panic") {
		t.Errorf("the server panicked:\n%s", s.log.String())
	}
}

// stillUp checks the server answers an ordinary request.
func (s abusedServer) stillUp(t *testing.T) {
	t.Helper()
	wantStatus(t, "a plain request after the abuse", get(t, s.url+"/api/images/1"), http.StatusOK)
}

// raw sends a request exactly as written (no client-side path cleaning) and
// reads the answer.
func raw(t *testing.T, base, request string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%.80q: %v", request, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestAbuse_OversizedBodiesAre413(t *testing.T) {
	s := startAbusedServer(t, false, Options{}, nil) // the default 20 MB upload limit
	huge := make([]byte, DefaultMaxUploadBytes+1<<20)
	_, _ = rand.Read(huge)
	wantStatus(t, "21 MB upload", upload(t, s.url+"/api/similar", "image", huge), http.StatusRequestEntityTooLarge, "larger than")

	// Without a Content-Length the limit is found while reading.
	chunked := multipartBody("image", huge)
	r := do(t, "POST", s.url+"/api/similar", chunked.contentType, io.MultiReader(bytes.NewReader(chunked.body)))
	wantStatus(t, "21 MB chunked upload", r, http.StatusRequestEntityTooLarge, "larger than")

	bigJSON := `{"name": "big", "where": "` + strings.Repeat("x", 1<<20) + `"}`
	wantStatus(t, "1 MB plot request", do(t, "POST", s.url+"/api/plots", "application/json", strings.NewReader(bigJSON)), http.StatusRequestEntityTooLarge)
	bigLabel := `{"label": "` + strings.Repeat("x", 1<<20) + `"}`
	wantStatus(t, "1 MB hotspot label", do(t, "PATCH", s.url+"/api/plots/"+fixturePlot+"/hotspots/0", "application/json", strings.NewReader(bigLabel)), http.StatusRequestEntityTooLarge)
	s.stillUp(t)
}

func TestAbuse_NonImageUploadsAre400(t *testing.T) {
	s := startAbusedServer(t, false, Options{}, nil)
	bomb := pngHeader(50000, 50000)
	for name, c := range map[string]struct {
		data []byte
		says string
	}{
		"text":         {[]byte("just some words"), "not an image"},
		"html page":    {[]byte("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"), "looks like HTML"},
		"pdf":          {[]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "PDF"},
		"svg":          {[]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "SVG"},
		"heic":         {[]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "HEIC"},
		"png bomb":     {bomb, "too large"},
		"random bytes": {bytes.Repeat([]byte{0x13, 0x37}, 4096), "not an image"},
		"empty":        {nil, "empty"},
	} {
		start := time.Now()
		wantStatus(t, name, upload(t, s.url+"/api/similar", "image", c.data), http.StatusBadRequest, c.says)
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: refused after %v", name, took)
		}
	}
	s.stillUp(t)
}

func TestAbuse_PathLikeIDsAndNamesNeverReachTheFileSystem(t *testing.T) {
	s := startAbusedServer(t, true, Options{}, nil)
	for _, target := range []string{
		"/api/images/../../etc/passwd",
		"/api/images/..%2F..%2Fetc%2Fpasswd",
		"/api/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd/thumb",
		"/api/images/1/thumb?size=../../../../etc/passwd",
		"/api/images/1%00",
		"/api/images/0x10",
		"/api/images/-1",
		"/api/images/99999999999999999999999999",
		"/api/images/1/similar?k=../../etc/passwd",
		"/api/images/1/similar?plot=../../etc/passwd",
		"/api/plots/..%2F..%2Fetc%2Fpasswd",
		"/api/plots/../../etc/passwd",
		"/api/plots/" + fixturePlot + "/atlases/..%2F..%2Fetc%2Fpasswd?tier=32",
		"/api/plots/" + fixturePlot + "/atlases/0?tier=../../etc/passwd",
		"/api/plots/" + fixturePlot + "/layouts/..%2F..%2Fetc%2Fpasswd",
		"/api/plots/" + fixturePlot + "/cells?tier=/etc/passwd",
		"/../../../../etc/passwd",
		"/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
		"/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
		"/js/../../../../../etc/passwd",
		"//etc/passwd",
		"/viewer/../../go.mod",
	} {
		resp, body := raw(t, s.url, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("GET %s: %d %.200s, want a 4xx", target, resp.StatusCode, body)
		}
		if bytes.Contains(body, []byte("root:")) || bytes.Contains(body, []byte("module github.com")) {
			t.Errorf("GET %s served a file from disk: %.200s", target, body)
		}
	}
	s.stillUp(t)
}

func TestAbuse_LongQueryStringsAndHeadersAreRefusedOrAnsweredQuickly(t *testing.T) {
	s := startAbusedServer(t, true, Options{}, nil)
	wantStatus(t, "9 KiB query", get(t, s.url+"/api/search?q="+strings.Repeat("a", 9<<10)), http.StatusRequestURITooLong)
	many := strings.Repeat("&k=1", 3000)
	wantStatus(t, "3000 parameters", get(t, s.url+"/api/images/1/similar?plot="+fixturePlot+many), http.StatusRequestURITooLong)

	// Just under the limit: a thousand search words are answered, quickly.
	words := strings.TrimSpace(strings.Repeat("face ", 1500))[:7000]
	start := time.Now()
	wantStatus(t, "7 KB of search words", get(t, s.url+"/api/search?q="+strings.ReplaceAll(words, " ", "+")), http.StatusOK)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a 7 KB search took %v", took)
	}

	// One 100 KB header: net/http refuses it (431) before any handler runs.
	resp, body := raw(t, s.url, "GET /api/config HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 100<<10)+"\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KB header: %d %.200s, want 431", resp.StatusCode, body)
	}
	s.stillUp(t)
}

func TestAbuse_SlowHeadersAreCutOffAtTheConfiguredTimeout(t *testing.T) {
	t.Parallel() // it mostly waits
	s := startAbusedServer(t, true, Options{}, nil)
	limit := NewHTTPServer(nil).ReadHeaderTimeout
	took := trickle(t, s.url, "GET /api/config HTTP/1.1\r\nHost: x\r\nX-Slow: ", strings.Repeat("z", 1000), 250*time.Millisecond)
	if took > limit+3*time.Second {
		t.Errorf("a client sending headers byte by byte held its connection for %v; the header timeout is %v", took, limit)
	}
	s.stillUp(t)
}

func TestAbuse_SlowBodiesAreCutOffAtTheConfiguredTimeout(t *testing.T) {
	t.Parallel() // it mostly waits
	// The real read timeout allows a 20 MB upload on a slow link (minutes);
	// a short one shows the handlers give up when it strikes.
	const readTimeout = 2 * time.Second
	s := startAbusedServer(t, false, Options{}, func(hs *http.Server) { hs.ReadTimeout = readTimeout })
	var wg sync.WaitGroup
	for name, request := range map[string]string{
		"upload": "POST /api/similar HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n" +
			"--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n",
		"plot":  "POST /api/plots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"name\": \"",
		"label": "PATCH /api/plots/" + fixturePlot + "/hotspots/0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"label\": \"",
	} {
		wg.Go(func() {
			took := trickle(t, s.url, request, strings.Repeat("y", 1000), 200*time.Millisecond)
			if took > readTimeout+3*time.Second {
				t.Errorf("%s: a client sending its body byte by byte held its connection for %v; the read timeout is %v", name, took, readTimeout)
			}
		})
	}
	wg.Wait()
	// The upload embedder was not left locked by the abandoned upload.
	_, data := emojiFile(t)
	wantStatus(t, "an upload after the slow ones", upload(t, s.url+"/api/similar?k=3", "image", data), http.StatusOK)
	s.stillUp(t)
}

// trickle sends head, then the bytes of tail one at a time every gap, until
// the server answers or closes the connection; it returns how long that took.
func trickle(t *testing.T, base, head, tail string, gap time.Duration) time.Duration {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Error(err)
		return 0
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_, _ = io.Copy(io.Discard, conn) // returns when the server answers and closes, or resets
	}()
	if _, err := io.WriteString(conn, head); err != nil {
		return time.Since(start)
	}
	for i := 0; i < len(tail); i++ {
		select {
		case <-closed:
			return time.Since(start)
		case <-time.After(gap):
		}
		if _, err := conn.Write([]byte{tail[i]}); err != nil {
			<-closed
			return time.Since(start)
		}
	}
	t.Errorf("the server waited for all %d bytes sent %v apart", len(tail), gap)
	return time.Since(start)
}

func TestAbuse_WritesToAReadOnlyServerAre403AndChangeNothing(t *testing.T) {
	path := servertest.Copy(t)
	before := fileSum(t, path)
	cat, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	srv := New(cat, Options{ReadOnly: true, ReadOnlyReason: "started with --read-only", Models: modelstore.Default(nil), Plot: testPlotFunc, Log: log})
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config = NewHTTPServer(srv.Handler())
	hs.Start()
	_, data := emojiFile(t)
	for what, r := range map[string]response{
		"create plot":        sendJSON(t, "POST", hs.URL+"/api/plots", map[string]string{"name": "x"}),
		"create a huge plot": do(t, "POST", hs.URL+"/api/plots", "application/json", strings.NewReader(`{"name": "`+strings.Repeat("x", 4<<20)+`"}`)),
		"rename hotspot":     sendJSON(t, "PATCH", hs.URL+"/api/plots/"+fixturePlot+"/hotspots/0", map[string]string{"label": "x"}),
		"upload search":      upload(t, hs.URL+"/api/similar", "image", data),
		"put a plot":         sendJSON(t, "PUT", hs.URL+"/api/plots/"+fixturePlot, map[string]string{"name": "x"}),
		"delete a plot":      do(t, "DELETE", hs.URL+"/api/plots/"+fixturePlot, "", nil),
		"post to an image":   do(t, "POST", hs.URL+"/api/images/1", "application/json", strings.NewReader("{}")),
	} {
		wantStatus(t, what, r, http.StatusForbidden, "read-only")
	}
	wantStatus(t, "a read after the writes", get(t, hs.URL+"/api/plots/"+fixturePlot), http.StatusOK)
	hs.Close()
	srv.Close()
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, path) != before {
		t.Error("the catalog file changed on a read-only server")
	}
	if strings.Contains(strings.ToLower(log.String()), "panic") {
		t.Errorf("the server panicked:\n%s", log.String())
	}
}

func TestAbuse_MalformedJSONRequestsAre400(t *testing.T) {
	s := startAbusedServer(t, false, Options{}, nil)
	for what, body := range map[string]string{
		"not JSON":            "name=x",
		"an array":            `["x"]`,
		"a string":            `"x"`,
		"truncated":           `{"name": "x"`,
		"deeply nested":       strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"wrong types":         `{"name": 7, "where": ["x"]}`,
		"path-like name":      `{"name": "../../etc/passwd"}`,
		"NUL in the name":     `{"name": "a\u0000b"}`,
		"a thousand tags":     `{"name": "tags", "tags": [` + strings.TrimSuffix(strings.Repeat(`"t",`, 5000), ",") + `]}`,
		"two objects":         `{"name": "a"} {"name": "b"}`,
		"invalid UTF-8 where": "{\"name\": \"u\", \"where\": \"year = '\xff'\"}",
	} {
		wantStatus(t, what, do(t, "POST", s.url+"/api/plots", "application/json", strings.NewReader(body)), http.StatusBadRequest)
	}
	wantStatus(t, "label not JSON", do(t, "PATCH", s.url+"/api/plots/"+fixturePlot+"/hotspots/0", "application/json", strings.NewReader("label")), http.StatusBadRequest)
	wantStatus(t, "label deeply nested", do(t, "PATCH", s.url+"/api/plots/"+fixturePlot+"/hotspots/0", "application/json",
		strings.NewReader(`{"label": `+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`)), http.StatusBadRequest)
	var list []struct {
		Name string `json:"name"`
	}
	getJSON(t, s.url+"/api/plots", &list)
	if len(list) != 1 || list[0].Name != fixturePlot {
		t.Errorf("plots after the malformed requests: %+v", list)
	}
	s.stillUp(t)
}

// multipartFile is a multipart/form-data body with one file field.
type multipartFile struct {
	contentType string
	body        []byte
}

// multipartBody is an upload of data as the file field named field.
func multipartBody(field string, data []byte) multipartFile {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, "upload.png") // writes to a bytes.Buffer do not fail
	fw.Write(data)
	mw.Close()
	return multipartFile{mw.FormDataContentType(), buf.Bytes()}
}

// pngHeader is a PNG signature and IHDR claiming w×h RGBA pixels, over a
// one-byte IDAT: a decompression bomb's header.
func pngHeader(w, h uint32) []byte {
	chunk := func(typ string, body []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		c = append(append(c, typ...), body...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0})...)
	return append(out, chunk("IEND", nil)...)
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// syncBuffer collects a server's log while its handlers write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
