// Package benchkit holds what pixplot's benchmark programs share: where
// they keep their work files, how they hand results to scripts/bench.sh,
// and latency percentiles.
//
// Every program prints its human report as it goes, and for each measured
// number one machine-readable line
//
//	result<TAB>KEY<TAB>VALUE
//
// that scripts/bench.sh collects into the table of BENCHMARKS.md.
package benchkit

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pixplot/pixplot/registry"
)

// Result prints one measured number for scripts/bench.sh.
func Result(key string, value float64) {
	fmt.Printf("result\t%s\t%.6g\n", key, value)
}

// WorkDir is the folder benchmarks keep generated data in:
// bench in the cache directory (registry.CacheDir). It is created.
func WorkDir() (string, error) {
	dir := filepath.Join(registry.CacheDir(), "bench")
	return dir, os.MkdirAll(dir, 0o755)
}

// Percentile is the p-quantile (0..1) of durations by the nearest-rank
// method; it sorts d.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	rank := int(p*float64(len(d))+0.999999) - 1
	return d[min(max(rank, 0), len(d)-1)]
}

// Milliseconds is d in (fractional) milliseconds.
func Milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// LoadAverage is the 1, 5 and 15 minute load average, or "unknown".
func LoadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
