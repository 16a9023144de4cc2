package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/internal/testkit"
)

func TestIngest_SurvivesKill9AtRandomMomentsAndResumes(t *testing.T) {
	requireModel(t)
	const images = 120
	dir := testkit.Writable(t, testkit.Emoji(t, images))
	bad := addBadFiles(t, dir)
	db := filepath.Join(t.TempDir(), "crash.db")
	args := []string{"ingest", "--db", db, "--images", dir, "--metadata", filepath.Join(dir, "metadata.csv")}
	rng := rand.New(rand.NewPCG(5, 9))

	for kill := 1; kill <= 10; kill++ {
		cmd := command(t, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(time.Duration(500+rng.IntN(4500)) * time.Millisecond):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
		case <-done: // finished before its kill
		}
		assertConsistent(t, db, kill)
	}

	if r := run(t, args...); r.code != 3 {
		t.Fatalf("final run: exit %d, want 3 (the bad files failed, the rest stored)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	counts := assertConsistent(t, db, 11)
	if counts.images != images || counts.thumbnails != 3*images || counts.vectors != images || counts.indexed != images {
		t.Fatalf("after the final run: %+v, want the %d valid images with 3 thumbnails and a vector each", counts, images)
	}
	if counts.errors != len(bad) {
		t.Fatalf("after the final run: %d ingest errors, want one for each of %q", counts.errors, bad)
	}
}

// addBadFiles puts files that must fail (and be reported) among the images.
func addBadFiles(t *testing.T, dir string) []string {
	t.Helper()
	good, err := os.ReadFile(firstPNG(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"truncated.png": good[:len(good)/2],
		"notes.jpg":     []byte("not pixels\n"),
		"empty.gif":     nil,
	}
	var names []string
	for name, data := range bad {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// reopenAfterKill opens the catalog the way pixplot does (loading sqlite-vec
// and recovering the WAL a killed process left), checks its integrity and
// returns a plain read-only connection for inspecting its rows.
func reopenAfterKill(t *testing.T, db string, round int) *sql.DB {
	t.Helper()
	cat, err := catalog.Open(db, catalog.Options{})
	if err != nil {
		t.Fatalf("round %d: reopening after kill: %v", round, err)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		conn.Close()
		t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
	}
	return conn
}

// catalogCounts are the row counts a consistent catalog keeps in step.
type catalogCounts struct {
	images, thumbnails, vectors, indexed, errors int
}

// assertConsistent checks integrity and that no image is half-written: every
// image has its 3 thumbnails and its vector in both the plain and vec0 tables.
func assertConsistent(t *testing.T, db string, round int) catalogCounts {
	t.Helper()
	conn := reopenAfterKill(t, db, round)
	defer conn.Close()
	ctx := context.Background()
	var c catalogCounts
	var halfImages, orphanVectors, orphanThumbs, duplicates int
	err := conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM images),
		(SELECT count(*) FROM thumbnails),
		(SELECT count(*) FROM embeddings),
		(SELECT count(*) FROM ingest_errors),
		(SELECT count(*) FROM images i WHERE
			(SELECT count(*) FROM thumbnails t WHERE t.image_id = i.id) != 3
			OR NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.image_id = i.id)),
		(SELECT count(*) FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.id = e.image_id)),
		(SELECT count(*) FROM thumbnails t WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.id = t.image_id)),
		(SELECT count(*) - count(DISTINCT path) FROM images)`).
		Scan(&c.images, &c.thumbnails, &c.vectors, &c.errors, &halfImages, &orphanVectors, &orphanThumbs, &duplicates)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if halfImages != 0 || orphanVectors != 0 || orphanThumbs != 0 || duplicates != 0 {
		t.Fatalf("round %d: %d images without all their thumbnails and vector, %d vectors and %d thumbnails without their image, %d duplicate paths",
			round, halfImages, orphanVectors, orphanThumbs, duplicates)
	}
	var table string
	if err := conn.QueryRowContext(ctx, `SELECT vector_table FROM models`).Scan(&table); err == sql.ErrNoRows {
		return c // killed before the model was recorded
	} else if err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&c.indexed); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	var unindexed, orphanIndexed int
	err = conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM "`+table+`" v WHERE v.image_id = e.image_id)),
		(SELECT count(*) FROM "`+table+`" v WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.id = v.image_id))`).
		Scan(&unindexed, &orphanIndexed)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if c.indexed != c.vectors || unindexed != 0 || orphanIndexed != 0 {
		t.Fatalf("round %d: %d vectors but %d indexed; %d vectors not indexed, %d indexed without an image",
			round, c.vectors, c.indexed, unindexed, orphanIndexed)
	}
	return c
}
