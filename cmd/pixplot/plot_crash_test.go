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

func TestPlot_Kill9NeverLeavesAHalfPlotReadyAndARerunCompletes(t *testing.T) {
	requireModel(t)
	dir := testkit.Emoji(t, 300)
	db := filepath.Join(t.TempDir(), "plots.db")
	mustPixplot(t, "ingest", "--db", db, "--images", dir, "--metadata", filepath.Join(dir, "metadata.csv"), "--model", "mobilenet_v2")
	// --force: every run recomputes (and replaces) the plot, so every kill
	// lands in real work, also after a run that got to finish.
	args := []string{"plot", "--db", db, "--name", "crash", "--force"}

	// How long a whole run takes here, so that the kills spread over it.
	start := time.Now()
	mustPixplot(t, args...)
	full := time.Since(start)
	assertPlotConsistent(t, db, "crash", 0)
	t.Logf("a whole plot run takes %v", full.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(7, 11))
	killed, seen := 0, map[string]int{} // statuses found after the runs
	for round := 1; round <= 10; round++ {
		cmd := command(t, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(time.Duration(rng.Int64N(int64(full) * 3 / 2))): // some around the final commit
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done // reaped: the catalog can tell its plot is orphaned
			killed++
		case <-done: // finished before its kill
		}
		seen[assertPlotConsistent(t, db, "crash", round)]++
	}
	t.Logf("%d of 10 runs killed; plot statuses found after them: %v", killed, seen)
	if killed == 0 {
		t.Fatal("no run was killed: the test proved nothing")
	}

	// A plain re-run (no --force) takes over the orphaned plot and completes it.
	mustPixplot(t, "plot", "--db", db, "--name", "crash")
	if status := assertPlotConsistent(t, db, "crash", 99); status != catalog.PlotReady {
		t.Fatalf("after the re-run the plot is %q, want ready", status)
	}
}

// assertPlotConsistent reopens the catalog after a kill and checks the named
// plot: absent, running or failed are all fine, but a ready plot must be
// whole: every image placed in every layout, every tier's cells in atlases
// that exist, hotspots whose members are plot positions. It returns the status.
func assertPlotConsistent(t *testing.T, db, name string, round int) string {
	t.Helper()
	conn := reopenAfterKill(t, db, round)
	defer conn.Close()
	ctx := context.Background()
	var others int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM plots WHERE name != ?`, name).Scan(&others); err != nil || others != 0 {
		t.Fatalf("round %d: %d other plots (%v)", round, others, err)
	}
	var id int64
	var status string
	var images int
	err := conn.QueryRowContext(ctx, `SELECT id, status, image_count FROM plots WHERE name = ?`, name).Scan(&id, &status, &images)
	if err == sql.ErrNoRows {
		return ""
	}
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if status != catalog.PlotReady {
		return status
	}
	var positions, layouts, badLayouts, tiers, badTiers, missingAtlases, badHotspots int
	err = conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM plot_images WHERE plot_id = ?1),
		(SELECT count(*) FROM plot_layouts WHERE plot_id = ?1),
		(SELECT count(*) FROM plot_layouts WHERE plot_id = ?1 AND length(positions) != 8 * ?2),
		(SELECT count(DISTINCT tier) FROM atlas_cells WHERE plot_id = ?1),
		(SELECT count(*) FROM (SELECT tier FROM atlas_cells WHERE plot_id = ?1 GROUP BY tier HAVING count(*) != ?2)),
		(SELECT count(*) FROM (SELECT DISTINCT tier, atlas FROM atlas_cells c WHERE plot_id = ?1 AND NOT EXISTS
			(SELECT 1 FROM atlases a WHERE a.plot_id = ?1 AND a.tier = c.tier AND a.idx = c.atlas))),
		(SELECT count(*) FROM hotspots h, json_each(h.members) m WHERE h.plot_id = ?1 AND (m.value < 0 OR m.value >= ?2))`,
		id, images).Scan(&positions, &layouts, &badLayouts, &tiers, &badTiers, &missingAtlases, &badHotspots)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if images == 0 || positions != images || layouts < 2 || badLayouts != 0 || tiers == 0 || badTiers != 0 || missingAtlases != 0 || badHotspots != 0 {
		t.Fatalf("round %d: plot %q is ready but not whole: %d images, %d positions, %d layouts (%d of the wrong size), "+
			"%d tiers (%d without a cell per image), %d atlases missing, %d hotspot members out of range",
			round, name, images, positions, layouts, badLayouts, tiers, badTiers, missingAtlases, badHotspots)
	}
	return status
}
