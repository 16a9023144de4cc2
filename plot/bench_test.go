package plot

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/plot/atlas"
)

// BenchmarkRun makes a whole plot of PIXPLOT_BENCH_IMAGES images (default
// 10,000) with 768-dimensional embedding-like vectors in 50 clusters and
// real thumbnails, with the default options, and reports each stage's
// seconds and the process's peak resident memory. Sheets are handed over as
// they are made (Options.OnSheet), as pixplot plot streams them into the
// catalog, and dropped. Run it alone:
//
//	PIXPLOT_BENCH_IMAGES=100000 go test -run '^$' -bench Run -benchtime 1x ./plot
func BenchmarkRun(b *testing.B) {
	n := 10000
	if v := os.Getenv("PIXPLOT_BENCH_IMAGES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("PIXPLOT_BENCH_IMAGES=%q: %v", v, err)
		}
	}
	in, _ := blobInputDim(b, n, 50, 768)
	opts := DefaultOptions()
	opts.Seed = 1
	var sheets, bytes int
	opts.OnSheet = func(_ int, s atlas.Sheet) error {
		sheets++
		bytes += len(s.JPEG)
		return nil
	}
	b.ResetTimer()
	for range b.N {
		sheets, bytes = 0, 0
		res, err := Run(context.Background(), in, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range res.Timings {
			b.ReportMetric(t.Seconds, t.Stage+"-s")
		}
		b.ReportMetric(float64(sheets), "sheets")
		b.ReportMetric(float64(bytes)/1e6, "atlas-MB")
		b.ReportMetric(float64(len(res.Hotspots)), "hotspots")
	}
	b.ReportMetric(peakRSS(b)/1e6, "peak-RSS-MB")
}

// peakRSS is the process's peak resident memory in bytes (Linux VmHWM).
func peakRSS(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
