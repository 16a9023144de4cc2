package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/plot"
)

// execute runs a command made by newCmd on catalog db with args, returning
// what it printed on stdout and stderr.
func execute(t *testing.T, db string, newCmd func(*globalFlags) *cobra.Command, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newCmd(&globalFlags{db: db})
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func mustExecute(t *testing.T, db string, newCmd func(*globalFlags) *cobra.Command, args ...string) string {
	t.Helper()
	out, errOut, err := execute(t, db, newCmd, args...)
	if err != nil {
		t.Fatalf("%v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out, errOut)
	}
	return out
}

func listPlots(t *testing.T, db string) []catalog.PlotInfo {
	t.Helper()
	var plots []catalog.PlotInfo
	if err := json.Unmarshal([]byte(mustExecute(t, db, newPlotsCmd, "--json")), &plots); err != nil {
		t.Fatal(err)
	}
	return plots
}

func TestPlot_ComputesStoresReusesAndRemovesPlotsOfRealImages(t *testing.T) {
	db, _ := ingestEmoji(t, 120)
	fast := []string{"--epochs", "100", "--seed", "3"}

	out, progress, err := execute(t, db, newPlotCmd, fast...)
	if err != nil {
		t.Fatalf("plot: %v\n%s%s", err, out, progress)
	}
	if !strings.Contains(out, "plot all: 120 images, layouts umap, grid, categorical, date") {
		t.Fatalf("summary:\n%s", out)
	}
	for _, stage := range []string{plot.StageSelection, plot.StagePCA, plot.StageKNN, plot.StageUMAP, plot.StageClustering,
		plot.StageLayouts, plot.StageAtlases, "total"} {
		if !strings.Contains(out, "  "+stage+" ") {
			t.Errorf("no timing of %s in:\n%s", stage, out)
		}
		if stage != plot.StageSelection && stage != "total" && !strings.Contains(progress, "plot: "+stage+" ") {
			t.Errorf("no progress line of %s in:\n%s", stage, progress)
		}
	}

	plots := listPlots(t, db)
	if len(plots) != 1 {
		t.Fatalf("plots: %+v", plots)
	}
	p := plots[0]
	if p.Name != "all" || p.Status != catalog.PlotReady || p.ImageCount != 120 || p.Filter != "" ||
		!slices.Equal(p.Tiers, []int{32, 128}) || len(p.Timings) != 7 {
		t.Fatalf("stored plot: %+v", p)
	}
	// The emoji's categories name the hotspots.
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	hotspots, err := cat.PlotHotspots(context.Background(), "all")
	cat.Close()
	if err != nil || len(hotspots) == 0 {
		t.Fatalf("hotspots %v, %v", hotspots, err)
	}
	for _, h := range hotspots {
		t.Logf("hotspot %d %q: %d images", h.ID, h.Label, h.Size)
	}

	again := mustExecute(t, db, newPlotCmd, fast...)
	if !strings.Contains(again, "plot all is up to date") {
		t.Fatalf("second run did not reuse the plot:\n%s", again)
	}
	if listPlots(t, db)[0].CreatedAt != p.CreatedAt {
		t.Fatal("the reused plot was rewritten")
	}

	// A hotspot made by hand survives --force.
	cat, err = catalog.Open(db, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cat.AddHotspot(context.Background(), "all", "Mine", []int{0, 1})
	cat.Close()
	if err != nil {
		t.Fatal(err)
	}

	forced := mustExecute(t, db, newPlotCmd, append(fast, "--force")...)
	if strings.Contains(forced, "up to date") || !strings.Contains(forced, "  umap ") {
		t.Fatalf("--force did not recompute:\n%s", forced)
	}
	cat, err = catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	hotspots, err = cat.PlotHotspots(context.Background(), "all")
	cat.Close()
	if err != nil || len(hotspots) == 0 || hotspots[len(hotspots)-1].Label != "Mine" || hotspots[len(hotspots)-1].Size != 2 {
		t.Fatalf("after --force the hand-made hotspot is not last: %+v, %v", hotspots, err)
	}

	other := mustExecute(t, db, newPlotCmd, append(fast, "--category", "Animals & Nature", "--lod-size", "0")...)
	if !strings.Contains(other, "plot category-in-animals-nature: ") || !strings.Contains(other, "atlas tiers [32] px") {
		t.Fatalf("category plot:\n%s", other)
	}
	_, _, err = execute(t, db, newPlotCmd, append(fast, "--seed", "4")...)
	if !errors.Is(err, catalog.ErrPlotExists) {
		t.Fatalf("same name, other settings: err = %v, want ErrPlotExists", err)
	}

	table := mustExecute(t, db, newPlotsCmd)
	if !strings.Contains(table, "category-in-animals-nature") || !strings.Contains(table, "(all images)") {
		t.Fatalf("plots table:\n%s", table)
	}
	mustExecute(t, db, newPlotsCmd, "rm", "all")
	plots = listPlots(t, db)
	if len(plots) != 1 || plots[0].Name != "category-in-animals-nature" {
		t.Fatalf("after rm: %+v", plots)
	}
	if _, _, err := execute(t, db, newPlotsCmd, "rm", "all"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("removing it again: err = %v", err)
	}
	if info := mustPixplot(t, "info", "--db", db).stdout; !strings.Contains(info, "images      120") {
		t.Fatalf("plots rm touched the images:\n%s", info)
	}
}

func TestPlot_EmptySelectionIsAnErrorAndMakesNoPlot(t *testing.T) {
	db, _ := ingestEmoji(t, 20)
	_, _, err := execute(t, db, newPlotCmd, "--where", "year > 3000")
	if !errors.Is(err, catalog.ErrNoMatches) || !strings.Contains(err.Error(), "year > 3000") {
		t.Fatalf("err = %v, want no matches naming the filter", err)
	}
	_, _, err = execute(t, db, newPlotCmd, "--where", "yeer > 3000")
	if err == nil || !strings.Contains(err.Error(), "yeer") {
		t.Fatalf("err = %v, want one naming the unknown column", err)
	}
	if plots := listPlots(t, db); len(plots) != 0 {
		t.Fatalf("plots were made: %+v", plots)
	}
}

func TestPlot_TinySelectionsMakeValidPlots(t *testing.T) {
	db, _ := ingestEmoji(t, 20)
	out := mustExecute(t, db, newPlotCmd, "--where", "id <= 2", "--name", "two")
	if !strings.Contains(out, "plot two: 2 images") {
		t.Fatalf("summary:\n%s", out)
	}
}

func TestPlot_RefusesBadFlagsBeforeOpeningTheCatalog(t *testing.T) {
	db := t.TempDir() + "/absent.db"
	for _, args := range [][]string{
		{"--atlas-size", "1000"},
		{"--metric", "manhattan"},
		{"--name", "no spaces"},
		{"--seed", "-1"},
		{"--n-neighbors", "1"},
		{"--n-neighbors", "5,x"},
		{"--min-distance", "0.1,2"},
		{"--min-distance", "0.1,0.1"},
		{"--n-neighbors", "2,3,4,5", "--min-distance", "0.1,0.2,0.3"},
	} {
		if _, _, err := execute(t, db, newPlotCmd, args...); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: err = %v, want one naming %s", args, err, args[0])
		}
	}
}

func TestPlot_SeveralUMAPParametersMakeAVariantLayoutEachWithAJitteredTwin(t *testing.T) {
	db, _ := ingestEmojiWith(t, 60, "mobilenet_v2")
	args := []string{"--n-neighbors", "5,10", "--min-distance", "0.1", "--epochs", "100"}
	out := mustExecute(t, db, newPlotCmd, args...)
	if !strings.Contains(out, "layouts umap, grid, categorical, date, umap-jitter, umap-n10-d0.1, umap-n10-d0.1-jitter,") ||
		!strings.Contains(out, "  "+plot.StageVariants+" ") {
		t.Fatalf("summary:\n%s", out)
	}
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	for name, want := range map[string]catalog.LayoutVariant{
		"umap":                 {NNeighbors: 5, MinDist: 0.1},
		"umap-jitter":          {NNeighbors: 5, MinDist: 0.1, Jitter: true},
		"umap-n10-d0.1":        {NNeighbors: 10, MinDist: 0.1},
		"umap-n10-d0.1-jitter": {NNeighbors: 10, MinDist: 0.1, Jitter: true},
	} {
		l, err := cat.PlotLayout(context.Background(), "all", name)
		if err != nil || l.Variant == nil || *l.Variant != want {
			t.Errorf("%s: variant %+v, %v; want %+v", name, l.Variant, err, want)
		}
	}
	info, _ := cat.Plot(context.Background(), "all")
	if !strings.Contains(string(info.Params), `"n_neighbors":[5,10],"min_distance":0.1,`) {
		t.Errorf("params %s: want the lists", info.Params)
	}
	if again := mustExecute(t, db, newPlotCmd, args...); !strings.Contains(again, "plot all is up to date") {
		t.Fatalf("the same lists again did not reuse the plot:\n%s", again)
	}
	if _, _, err := execute(t, db, newPlotCmd, "--n-neighbors", "5", "--min-distance", "0.1", "--epochs", "100"); !errors.Is(err, catalog.ErrPlotExists) {
		t.Fatalf("one value of the lists: err = %v, want ErrPlotExists (other settings)", err)
	}
}

func TestStageProgress_DrawsABarOnATerminalAndLinesOtherwise(t *testing.T) {
	var lines, bar bytes.Buffer
	plain := &stageProgress{w: &lines}
	term := &stageProgress{w: &bar, terminal: true}
	for _, p := range []plot.Progress{{Stage: "knn", Total: 1}, {Stage: "knn", Done: 1, Total: 1},
		{Stage: "umap", Total: 8}, {Stage: "umap", Done: 1, Total: 8}, {Stage: "umap", Done: 2, Total: 8},
		{Stage: "umap", Done: 8, Total: 8}} {
		plain.report(p)
		term.report(p)
	}
	plain.end()
	term.end()
	if got := lines.String(); got != "plot: knn 0/1\nplot: umap 0/8\nplot: umap 2/8\nplot: umap 8/8\n" {
		t.Errorf("plain lines:\n%s", got)
	}
	if got := bar.String(); !strings.Contains(got, "\r\x1b[Kumap       [==============================] 8/8\n") {
		t.Errorf("terminal bar: %q", got)
	}
}
