package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/internal/testkit"
	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/server"
	"github.com/pixplot/pixplot/server/servertest"
)

// TestServeWhileIngesting_ReadersSeeOnlyWholeImagesAndNothingIsLocked runs the
// real server on a catalog file while `pixplot ingest` (another process)
// writes to it, and has the server make a plot (a second writer) halfway.
// Every image the catalog shows at any moment must be whole through the API
// (metadata, both thumbnails, similar search from its vector), and neither
// side may fail with "database is locked".
func TestServeWhileIngesting_ReadersSeeOnlyWholeImagesAndNothingIsLocked(t *testing.T) {
	requireModel(t)
	const images = 300
	dir := testkit.Emoji(t, images)
	db := filepath.Join(t.TempDir(), "shared.db")
	model := []string{"--model", "mobilenet_v2"}
	// The server opens an existing catalog, as `pixplot serve` does.
	mustPixplot(t, append([]string{"ingest", "--db", db, "--images", firstPNG(t, dir)}, model...)...)

	cat, err := catalog.Open(db, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	srv := server.New(cat, server.Options{Models: modelstore.Default(nil), Plot: server.RunPlot})
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	listing, err := sql.Open("sqlite3", "file:"+db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer listing.Close()

	ingestCmd := command(t, append([]string{"ingest", "--db", db, "--images", dir, "--metadata", filepath.Join(dir, "metadata.csv"), "--batch", "8"}, model...)...)
	var ingestOut, ingestErr bytes.Buffer
	ingestCmd.Stdout, ingestCmd.Stderr = &ingestOut, &ingestErr
	if err := ingestCmd.Start(); err != nil {
		t.Fatal(err)
	}
	ingestDone := make(chan error, 1)
	go func() { ingestDone <- ingestCmd.Wait() }()

	checker := &wholeImageChecker{base: hs.URL, client: hs.Client(), checked: map[int64]int{}}
	rounds, sawPartial, plotAsked := 0, false, false
	for finished := false; !finished; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-ingestDone:
			if err != nil {
				t.Fatalf("ingest while serving: %v\nstdout:\n%s\nstderr:\n%s", err, ingestOut.String(), ingestErr.String())
			}
			finished = true
		default:
		}
		ids := listImageIDs(t, listing)
		sawPartial = sawPartial || (len(ids) > 1 && len(ids) < images)
		if !plotAsked && len(ids) >= images/4 {
			askForPlot(t, hs.URL, "during-ingest")
			plotAsked = true
		}
		checker.checkAll(t, ids)
		rounds++
	}
	checker.checkAll(t, listImageIDs(t, listing)) // and once more after the last commit
	if !plotAsked {
		askForPlot(t, hs.URL, "during-ingest")
	}
	if status := servertest.WaitForPlot(t, http.DefaultClient, hs.URL, "during-ingest", 2*time.Minute); status != "ready" {
		t.Errorf("the plot made during the ingest ended %s", status)
	}
	if t.Failed() {
		return
	}
	if strings.Contains(ingestErr.String(), "locked") {
		t.Errorf("ingest reported a lock:\n%s", ingestErr.String())
	}
	if len(checker.checked) != images {
		t.Errorf("checked %d images, want all %d", len(checker.checked), images)
	}
	t.Logf("%d polling rounds, %d requests while ingesting; saw a partly ingested catalog: %v", rounds, checker.requests, sawPartial)
	if !sawPartial {
		t.Log("the ingest finished before any poll saw it half done; the test proved less than it should")
	}
}

// askForPlot creates a plot of every image through the API.
func askForPlot(t *testing.T, base, name string) {
	t.Helper()
	resp, err := http.Post(base+"/api/plots", "application/json", strings.NewReader(`{"name": "`+name+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/plots: %d %s", resp.StatusCode, body)
	}
}

func listImageIDs(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM images ORDER BY id`)
	if err != nil {
		t.Fatalf("listing images during the ingest: %v", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("listing images during the ingest: %v", err)
	}
	return ids
}

// wholeImageChecker asks the server for everything about images and fails
// the test on any answer that is not a whole image.
type wholeImageChecker struct {
	base     string
	client   *http.Client
	mu       sync.Mutex
	checked  map[int64]int // times each image was checked
	requests int
	round    int
}

// checkAll checks the images never checked before and a tenth of the
// others (a different tenth each round), a few requests at a time.
func (c *wholeImageChecker) checkAll(t *testing.T, ids []int64) {
	t.Helper()
	c.round++
	work := make(chan int64)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for id := range work {
				c.check(t, id)
			}
		})
	}
	for _, id := range ids {
		c.mu.Lock()
		n := c.checked[id]
		c.mu.Unlock()
		if n == 0 || (int(id)+c.round)%10 == 0 {
			work <- id
		}
	}
	close(work)
	wg.Wait()
}

func (c *wholeImageChecker) check(t *testing.T, id int64) {
	var img struct {
		ID     int64  `json:"id"`
		SHA256 string `json:"sha256"`
		Width  int    `json:"width"`
	}
	if body, ok := c.get(t, fmt.Sprintf("/api/images/%d", id), "application/json"); ok {
		if err := json.Unmarshal(body, &img); err != nil || img.ID != id || len(img.SHA256) != 64 || img.Width <= 0 {
			t.Errorf("image %d: %v in %s", id, err, body)
		}
	}
	for _, size := range []string{"cell", "preview"} {
		if body, ok := c.get(t, fmt.Sprintf("/api/images/%d/thumb?size=%s", id, size), "image/jpeg"); ok {
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				t.Errorf("image %d: %s thumbnail: %v", id, size, err)
			}
		}
	}
	var similar []struct {
		ID int64 `json:"id"`
	}
	if body, ok := c.get(t, fmt.Sprintf("/api/images/%d/similar?k=5", id), "application/json"); ok {
		if err := json.Unmarshal(body, &similar); err != nil {
			t.Errorf("image %d: similar: %v in %s", id, err, body)
		}
	}
	c.mu.Lock()
	c.checked[id]++
	c.mu.Unlock()
}

// get fetches a path, failing the test on anything but 200 with contentType.
func (c *wholeImageChecker) get(t *testing.T, path, contentType string) ([]byte, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
		return nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), contentType) {
		t.Errorf("GET %s during the ingest: %d %s (%v): %.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), err, body)
		return nil, false
	}
	return body, true
}
