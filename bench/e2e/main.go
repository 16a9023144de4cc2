// Command e2e times a whole plot end to end with the real command: it runs
// `pixplot plot` on a catalog (selection → PCA → kNN → UMAP → HDBSCAN →
// layouts → atlases, stored in the file) and reports its wall time, the
// command's peak resident memory (the kernel's rusage of the child process)
// and the stage timings the plot stored, read back with `pixplot plots --json`.
//
//	go run ./bench/e2e -db synth-100000.db -name e2e [-- extra plot flags]
//
// The catalog is normally bench/synthcat's synthetic one.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/pixplot/pixplot/bench/internal/benchkit"
	"github.com/pixplot/pixplot/catalog"
)

func main() {
	pixplot := flag.String("pixplot", "./bin/pixplot", "the pixplot binary")
	db := flag.String("db", "", "catalog to plot")
	name := flag.String("name", "e2e", "plot name")
	force := flag.Bool("force", true, "recompute the plot even when one with the same name and options is stored")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "bench/e2e: -db is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *pixplot, *db, *name, *force, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "bench/e2e:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, pixplot, db, name string, force bool, extra []string) error {
	images, err := countImages(ctx, db)
	if err != nil {
		return err
	}
	args := []string{"plot", "--db", db, "--name", name}
	if force {
		args = append(args, "--force")
	}
	args = append(args, extra...)
	fmt.Printf("%d images in %s; load average %s\n$ %s %s\n", images, db, benchkit.LoadAverage(), pixplot, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, pixplot, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s plot: %w", pixplot, err)
	}
	wall := time.Since(start).Seconds()
	peakMB := 0.0
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peakMB = float64(ru.Maxrss) / 1024 // Linux reports kilobytes
	}
	fmt.Printf("plot of %d images: %.1fs wall, peak RSS %.0f MB, load average %s\n", images, wall, peakMB, benchkit.LoadAverage())
	benchkit.Result("images", float64(images))
	benchkit.Result("seconds", wall)
	benchkit.Result("peak_rss_mb", peakMB)

	timings, err := storedTimings(ctx, pixplot, db, name)
	if err != nil {
		return err
	}
	for _, t := range timings {
		fmt.Printf("  %-10s %7.2fs\n", t.Stage, t.Seconds)
		benchkit.Result("stage_"+t.Stage, t.Seconds)
	}
	return nil
}

func countImages(ctx context.Context, db string) (int64, error) {
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer cat.Close()
	info, err := cat.Info(ctx)
	return info.Images, err
}

type timing struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
}

// storedTimings reads the plot's stage timings from `pixplot plots --json`:
// a list of {stage, seconds}, or an object of seconds by stage.
func storedTimings(ctx context.Context, pixplot, db, name string) ([]timing, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, pixplot, "plots", "--db", db, "--json")
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s plots --json: %w", pixplot, err)
	}
	var plots []struct {
		Name    string          `json:"name"`
		Timings json.RawMessage `json:"timings"`
	}
	if err := json.Unmarshal(out.Bytes(), &plots); err != nil {
		return nil, fmt.Errorf("%s plots --json: %w", pixplot, err)
	}
	for _, p := range plots {
		if p.Name != name {
			continue
		}
		var list []timing
		if json.Unmarshal(p.Timings, &list) == nil {
			return list, nil
		}
		var byStage map[string]float64
		if err := json.Unmarshal(p.Timings, &byStage); err != nil {
			return nil, fmt.Errorf("plot %s: timings %s: %w", name, p.Timings, err)
		}
		for _, stage := range []string{"selection", "pca", "knn", "umap", "clustering", "layouts", "atlases", "store"} {
			if s, ok := byStage[stage]; ok {
				list = append(list, timing{stage, s})
				delete(byStage, stage)
			}
		}
		for stage, s := range byStage {
			list = append(list, timing{stage, s})
		}
		return list, nil
	}
	return nil, fmt.Errorf("%s plots --json lists no plot %q", pixplot, name)
}
