package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func getBody(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServe_CtrlCStopsCleanlyWithNoPlotLeftRunningAndNoWAL(t *testing.T) {
	db, _ := ingestEmojiWith(t, 20, "mobilenet_v2")
	mustPixplot(t, "plot", "--db", db, "--epochs", "50")
	srv := startServe(t, "--db", db, "--addr", "127.0.0.1:0")

	status, body := getBody(t, srv.url+"/api/plots")
	if status != http.StatusOK || !strings.Contains(string(body), `"name":"all"`) || !strings.Contains(string(body), `"status":"ready"`) {
		t.Fatalf("GET /api/plots: %d %s", status, body)
	}
	if status, body := getBody(t, srv.url+"/"); status != http.StatusOK || !strings.Contains(string(body), "<html") {
		t.Fatalf("the viewer: %d", status)
	}
	askForPlot(t, srv.url, "interrupted") // Ctrl-C comes while it is computing (or just after)
	srv.stop(t)

	if _, err := os.Stat(db + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the WAL is left after Ctrl-C (catalog not closed): %v", err)
	}
	for _, p := range listPlots(t, db) {
		if p.Status == "running" {
			t.Errorf("plot %s is left running after Ctrl-C", p.Name)
		}
	}
	if !strings.Contains(srv.log(), "GET /api/plots") {
		t.Errorf("no request log on stderr:\n%s", srv.log())
	}
}

func TestServe_ReadOnlyAndNonLoopbackAddressesRefuseWrites(t *testing.T) {
	db, _ := ingestEmojiWith(t, 20, "mobilenet_v2")
	for _, args := range [][]string{
		{"--read-only", "--addr", "127.0.0.1:0"},
		{"--addr", "0.0.0.0:0"},
	} {
		srv := startServe(t, append([]string{"--db", db}, args...)...)
		url := srv.url
		if strings.Contains(url, "0.0.0.0") {
			url = strings.Replace(url, "0.0.0.0", "127.0.0.1", 1)
		}
		_, config := getBody(t, url+"/api/config")
		if string(config) != `{"read_only":true,"static":false}` {
			t.Errorf("%v: config %s", args, config)
		}
		resp, err := http.Post(url+"/api/plots", "application/json", strings.NewReader(`{"name":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%v: POST /api/plots answered %d, want 403", args, resp.StatusCode)
		}
		srv.stop(t)
	}
}

func TestExport_WritesASiteAPlainFileServerServes(t *testing.T) {
	db, _ := ingestEmojiWith(t, 20, "mobilenet_v2")
	mustPixplot(t, "plot", "--db", db, "--epochs", "50", "--name", "emoji")
	out := filepath.Join(t.TempDir(), "site")
	r := mustPixplot(t, "export", "--db", db, "--plot", "emoji", "--out", out, "--json")
	var sum struct {
		Images int `json:"images"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Images != 20 {
		t.Fatalf("summary %q: %v", r.stdout, err)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer static.Close()
	for _, path := range []string{"/", "/config.json", "/data/plots.json", "/data/plots/emoji/manifest.json", "/data/plots/emoji/meta.json"} {
		if status, _ := getBody(t, static.URL+path); status != http.StatusOK {
			t.Errorf("GET %s: %d", path, status)
		}
	}
	if _, config := getBody(t, static.URL+"/config.json"); !strings.Contains(string(config), `"static":true`) {
		t.Errorf("config.json %s", config)
	}
	if r := run(t, "export", "--db", db, "--plot", "nope", "--out", filepath.Join(t.TempDir(), "x")); r.code == 0 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("exporting an unknown plot: exit %d, %s", r.code, r.stderr)
	}
}
