package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
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
	dir := testkit.Emoji(t, images)
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

	mustPixplot(t, args...)
	counts := assertConsistent(t, db, 11)
	if counts.images != images || counts.thumbnails != 3*images || counts.vectors != images || counts.indexed != images {
		t.Fatalf("after the final run: %+v, want %d images with 3 thumbnails and a vector each", counts, images)
	}
}

// catalogCounts are the row counts a consistent catalog keeps in step.
type catalogCounts struct {
	images, thumbnails, vectors, indexed int
}

// assertConsistent checks integrity and that no image is half-written: every
// image has its 3 thumbnails and its vector in both the plain and vec0 tables.
func assertConsistent(t *testing.T, db string, round int) catalogCounts {
	t.Helper()
	cat, err := catalog.Open(db, catalog.Options{}) // loads sqlite-vec; recovers the WAL
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
	defer conn.Close()
	ctx := context.Background()
	var check string
	if err := conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
	}
	var c catalogCounts
	var orphans int
	err = conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM images),
		(SELECT count(*) FROM thumbnails),
		(SELECT count(*) FROM embeddings),
		(SELECT count(*) FROM images i WHERE
			(SELECT count(*) FROM thumbnails t WHERE t.image_id = i.id) != 3
			OR NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.image_id = i.id)),
		(SELECT count(*) FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.id = e.image_id))`).
		Scan(&c.images, &c.thumbnails, &c.vectors, &orphans, new(int))
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if orphans != 0 {
		t.Fatalf("round %d: %d images without all their thumbnails and vector", round, orphans)
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
	if c.indexed != c.vectors {
		t.Fatalf("round %d: %d vectors but %d indexed", round, c.vectors, c.indexed)
	}
	return c
}
