package catalog

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pixplot/pixplot"
)

// A server and an ingest run (two processes, here two handles) share one file:
// neither ever fails with "database is locked".
func TestConcurrentServeAndIngest_NeverLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pixplot.db")
	ingest, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ingest.Close()
	m := testModel(t, ingest, 1, 64)
	r := newRand(5)
	putAll(t, ingest, m.ID, []ImageRecord{testRecord(0, randomUnit(r, 64))})

	var serve *Catalog
	var failures atomic.Int64
	fail := func(who string, err error) {
		if failures.Add(1) <= 5 {
			t.Errorf("%s: %v", who, err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { // ingest: batches that also add extra columns (schema changes)
		defer stop()
		for batch := range 30 {
			var recs []ImageRecord
			for i := range 20 {
				rec := testRecord(1+batch*20+i, randomUnit(r, 64))
				rec.Image.Meta.Extra = map[string]string{fmt.Sprintf("col%d", batch/5): "v"}
				recs = append(recs, rec)
			}
			if err := ingest.PutImages(ctx, m.ID, recs); err != nil {
				fail("ingest", err)
			}
		}
	})
	serve, err = Open(path, Options{}) // opened while ingest writes
	if err != nil {
		t.Fatal(err)
	}
	defer serve.Close()
	for reader := range 3 {
		wg.Go(func() {
			q := randomUnit(newRand(uint64(reader)), 64)
			for runCtx.Err() == nil {
				if _, err := serve.Similar(ctx, m.ID, q, 20, SimilarOptions{}); err != nil {
					fail("similar", err)
				}
				if _, err := serve.Info(ctx); err != nil {
					fail("info", err)
				}
				if _, err := serve.Image(ctx, 1); err != nil {
					fail("image", err)
				}
				if _, err := serve.Columns(ctx); err != nil {
					fail("columns", err)
				}
			}
		})
	}
	wg.Go(func() { // the server writes too (plots, runs, settings)
		for runCtx.Err() == nil {
			run, err := serve.StartRun(ctx, "/data", "", m.ID)
			if err == nil {
				err = serve.RecordError(ctx, run, "/data/x.jpg", "decode", "bad")
			}
			if err == nil {
				err = serve.SetActiveModel(ctx, m.ID)
			}
			if err == nil {
				err = serve.UpdateMetadata(ctx, 1, pixplot.Metadata{Category: "maps", Tags: []string{"t"}})
			}
			if err != nil {
				fail("serve write", err)
			}
		}
	})
	wg.Wait()
	if n := count(t, serve, `SELECT count(*) FROM images`); n != 601 {
		t.Errorf("%d images; want 601", n)
	}
}

const killHelperEnv = "PIXPLOT_CATALOG_KILL_TEST_DB"

const killTestImages, killTestBatch, killTestDims = 200, 25, 64

// Killing ingest (kill -9) at any moment leaves a consistent file, and the next
// run finishes the job without duplicates.
func TestKilledIngest_LeavesConsistentFileAndResumes(t *testing.T) {
	if path := os.Getenv(killHelperEnv); path != "" {
		ingestForever(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "pixplot.db")
	for kill := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledIngest_LeavesConsistentFileAndResumes$")
		cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		commits := 0
		for commits < kill+1 && lines.Scan() {
			if strings.HasPrefix(lines.Text(), "committed") {
				commits++
			}
		}
		if commits < kill+1 {
			cmd.Wait()
			t.Fatalf("the ingest process ended after %d batches", commits)
		}
		time.Sleep(time.Duration(kill*3) * time.Millisecond) // land somewhere inside a batch
		cmd.Process.Kill()
		cmd.Wait()
		t.Logf("kill %d: %d images", kill, checkConsistent(t, path, fmt.Sprintf("after kill %d", kill+1)))
	}

	// The next run stores what is missing.
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := killTestModel(t, c)
	known, err := c.Known(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := newRand(11)
	var recs []ImageRecord
	for i := range killTestImages {
		if k, ok := known[testImage(i).Source]; ok && k.HasVector && k.HasThumbs {
			continue
		}
		recs = append(recs, testRecord(i, randomUnit(r, killTestDims)))
	}
	putAll(t, c, m.ID, recs)
	c.Close()
	if n := checkConsistent(t, path, "after resuming"); n != killTestImages {
		t.Errorf("%d images after resuming; want %d", n, killTestImages)
	}
}

func killTestModel(t testing.TB, c *Catalog) pixplot.Model { return testModel(t, c, 1, killTestDims) }

// ingestForever is the child process: it re-ingests the collection in batches
// until killed, each round with new bytes (so updates drop and rewrite rows).
func ingestForever(t *testing.T, path string) {
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := killTestModel(t, c)
	r := newRand(uint64(time.Now().UnixNano()))
	for round := 0; ; round++ {
		for start := 0; start < killTestImages; start += killTestBatch {
			var recs []ImageRecord
			for i := start; i < start+killTestBatch; i++ {
				rec := testRecord(i, randomUnit(r, killTestDims))
				rec.Image.SHA256 = sha(fmt.Sprint(rec.Image.Source, round))
				recs = append(recs, rec)
			}
			putAll(t, c, m.ID, recs)
			fmt.Println("committed", round, start)
		}
	}
}

// checkConsistent verifies every stored image is complete (thumbnails, search
// row, vector in both tables, identical) and returns the number of images.
func checkConsistent(t *testing.T, path, when string) int {
	t.Helper()
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer c.Close()
	m := killTestModel(t, c)
	var integrity string
	c.read.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
	if integrity != "ok" {
		t.Errorf("%s: integrity_check: %s", when, integrity)
	}
	images := count(t, c, `SELECT count(*) FROM images`)
	for what, n := range map[string]int{
		"thumbnails/3":       count(t, c, `SELECT count(*) FROM thumbnails`) / 3,
		"embeddings":         count(t, c, `SELECT count(*) FROM embeddings WHERE model_id = ?`, m.ID),
		"search rows":        count(t, c, `SELECT count(*) FROM image_search`),
		"vec rows":           count(t, c, `SELECT count(*) FROM `+vecTable(m.ID)),
		"matching vec rows":  count(t, c, `SELECT count(*) FROM embeddings e JOIN `+vecTable(m.ID)+` v ON v.image_id = e.image_id WHERE v.embedding = e.vector`),
		"images with 2 tags": count(t, c, `SELECT count(*) FROM (SELECT image_id FROM image_tags GROUP BY image_id HAVING count(*) = 2)`),
	} {
		if n != images {
			t.Errorf("%s: %d %s for %d images", when, n, what, images)
		}
	}
	return images
}
