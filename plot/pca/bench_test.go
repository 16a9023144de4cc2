package pca

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/pixplot/pixplot/plot/internal/synth"
)

// BenchmarkFit fits 100 components of 768-dimensional embedding-like
// vectors, as the plot pipeline does, for a small selection, a medium one
// and one near the default row cap. On a shared machine read cpu-ms/op:
//
//	go test -run '^$' -bench Fit -benchtime 1x -cpu 1 ./plot/pca
func BenchmarkFit(b *testing.B) {
	const dim, components = 768, 100
	for _, n := range []int{120, 2000, 20000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			data, _ := synth.Embeddings(n, dim, 64, 50, 0.3, 0.05, 1)
			start := cpuTime()
			for b.Loop() {
				if _, err := Fit(data, dim, components, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
