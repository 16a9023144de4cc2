package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/server/servertest"
)

func TestConfig_SaysWhetherWritesAreAllowed(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		_, url := serve(t, openCatalog(t, readOnly), Options{ReadOnly: readOnly})
		r := get(t, url+"/api/config")
		want := fmt.Sprintf(`{"read_only":%v,"static":false}`, readOnly)
		if r.status != http.StatusOK || string(r.body) != want {
			t.Errorf("read-only %v: %d %s, want %s", readOnly, r.status, r.body, want)
		}
	}
}

func TestViewer_IsServedAtTheRootNextToTheAPI(t *testing.T) {
	url := readOnlyServer(t)
	index := get(t, url+"/")
	if index.status != http.StatusOK || !strings.Contains(string(index.body), "<html") {
		t.Fatalf("/: %d %.200s", index.status, index.body)
	}
	config := get(t, url+"/config.json")
	if strings.TrimSpace(string(config.body)) != `{"static":false}` {
		t.Errorf("config.json: %s", config.body)
	}
	js := get(t, url+"/js/source.js")
	if js.status != http.StatusOK || !strings.Contains(js.header.Get("Content-Type"), "javascript") {
		t.Errorf("js/source.js: %d %s", js.status, js.header.Get("Content-Type"))
	}
	wantStatus(t, "missing file", get(t, url+"/nope.js"), http.StatusNotFound)
	wantStatus(t, "unknown API path", get(t, url+"/api/nope"), http.StatusNotFound, "/api/nope")
	wantStatus(t, "delete on a read-only server", do(t, "DELETE", url+"/api/plots", "", nil), http.StatusForbidden)
	_, writable := serve(t, openCatalog(t, false), Options{})
	wantStatus(t, "wrong method", do(t, "DELETE", writable+"/api/plots", "", nil), http.StatusMethodNotAllowed, "DELETE")
	wantStatus(t, "escaping the viewer", get(t, url+"/..%2F..%2Fetc%2Fpasswd"), http.StatusNotFound)
}

func TestLimits_LongURIsAre414(t *testing.T) {
	url := readOnlyServer(t)
	wantStatus(t, "16 KiB query", get(t, url+"/api/search?q="+strings.Repeat("a", 16<<10)), http.StatusRequestURITooLong, "URI")
	wantStatus(t, "16 KiB path", get(t, url+"/api/images/"+strings.Repeat("1", 16<<10)), http.StatusRequestURITooLong)
	// Past MaxHeaderBytes net/http itself refuses the request line.
	if r := get(t, url+"/api/search?q="+strings.Repeat("a", 100<<10)); r.status < 400 {
		t.Errorf("100 KiB query: %d", r.status)
	}
}

func TestReadOnly_RefusesEveryWriteWith403(t *testing.T) {
	_, url := serve(t, openCatalog(t, true), Options{ReadOnly: true, ReadOnlyReason: "started with --read-only"})
	_, data := emojiFile(t)
	for what, r := range map[string]response{
		"create plot":    sendJSON(t, "POST", url+"/api/plots", map[string]string{"name": "x"}),
		"rename hotspot": sendJSON(t, "PATCH", url+"/api/plots/"+fixturePlot+"/hotspots/1", map[string]string{"label": "x"}),
		"upload search":  upload(t, url+"/api/similar", "image", data),
	} {
		wantStatus(t, what, r, http.StatusForbidden, "read-only", "--read-only")
	}
}

func TestWriteAccess_NonLoopbackAddressesAreReadOnlyUnlessAllowed(t *testing.T) {
	for _, c := range []struct {
		addr                  string
		readOnly, allowWrites bool
		refuse                bool
	}{
		{"127.0.0.1:8080", false, false, false},
		{"localhost:8080", false, false, false},
		{"[::1]:8080", false, false, false},
		{"127.0.0.1:8080", true, true, true},
		{"0.0.0.0:8080", false, false, true},
		{":8080", false, false, true},
		{"192.168.1.5:8080", false, false, true},
		{"0.0.0.0:8080", false, true, false},
		{"nonsense", false, false, true},
	} {
		if refuse, _ := WriteAccess(c.addr, c.readOnly, c.allowWrites); refuse != c.refuse {
			t.Errorf("WriteAccess(%q, read-only %v, allow %v) refuses %v, want %v", c.addr, c.readOnly, c.allowWrites, refuse, c.refuse)
		}
	}
	// A server on all interfaces, reached over loopback, still refuses.
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on all interfaces:", err)
	}
	refuse, reason := WriteAccess(ln.Addr().String(), false, false)
	srv := New(openCatalog(t, refuse), Options{ReadOnly: refuse, ReadOnlyReason: reason})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	r := sendJSON(t, "POST", "http://127.0.0.1:"+port+"/api/plots", map[string]string{"name": "x"})
	wantStatus(t, "create on 0.0.0.0", r, http.StatusForbidden, "--allow-writes")
}

// blockingPlot stands for a long computation: it begins its plot in the
// catalog, then waits for cancellation and marks it failed, as `pixplot
// plot` does when interrupted.
func blockingPlot(started chan<- struct{}) PlotFunc {
	return func(ctx context.Context, cat *catalog.Catalog, req PlotRequest) error {
		model, err := cat.ActiveModel(ctx)
		if err != nil {
			return err
		}
		id, _, err := cat.BeginPlot(ctx, catalog.NewPlot{Name: req.Name, Filter: req.Filter, ModelID: model.ID}, false)
		if err != nil {
			return err
		}
		close(started)
		<-ctx.Done()
		return errors.Join(ctx.Err(), cat.FailPlot(context.WithoutCancel(ctx), id, ctx.Err()))
	}
}

func TestServe_ShutdownFinishesRequestsFailsRunningPlotsAndLeavesAWholeFile(t *testing.T) {
	path := servertest.Copy(t)
	cat, err := catalog.Open(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := New(cat, Options{Plot: blockingPlot(started), ShutdownTimeout: 10 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	wantStatus(t, "create", sendJSON(t, "POST", url+"/api/plots", map[string]string{"name": "long"}), http.StatusAccepted)
	<-started
	var head manifestJSON
	getJSON(t, url+"/api/plots/long", &head)
	if head.Status != "running" {
		t.Fatalf("status %q while computing", head.Status)
	}

	stop() // as SIGINT does
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
	if _, err := http.Get(url + "/api/config"); err == nil {
		t.Error("the server still accepts connections")
	}
	info, err := cat.Plot(context.Background(), "long")
	if err != nil || info.Status != catalog.PlotFailed {
		t.Errorf("interrupted plot: %+v %v, want failed", info, err)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WAL left after Close: %v", err)
	}
}

func TestNewHTTPServer_BoundsSlowClientsAndHeaders(t *testing.T) {
	hs := NewHTTPServer(http.NotFoundHandler())
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 {
		t.Errorf("limits not all set: %+v", hs)
	}
}
