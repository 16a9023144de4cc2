// Package parallel runs index ranges on a bounded number of goroutines. The
// plot algorithms use it so that the work split never changes their results:
// callers give every index a fixed outcome, whatever goroutine runs it.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is the number of goroutines to use for a request of threads
// (0 or less means GOMAXPROCS).
func Workers(threads int) int {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return max(threads, 1)
}

// Chunks calls fn(chunk) for every chunk in [0, chunks) on up to workers
// goroutines, handing out chunks dynamically, and returns when all are done.
func Chunks(chunks, workers int, fn func(chunk int)) {
	if chunks <= 0 {
		return
	}
	workers = min(Workers(workers), chunks)
	if workers == 1 {
		for c := range chunks {
			fn(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				fn(c)
			}
		})
	}
	wg.Wait()
}

// Range splits [0, n) into pieces of at most grain indices and calls
// fn(lo, hi) for each on up to workers goroutines.
func Range(n, grain, workers int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(grain, 1)
	chunks := (n + grain - 1) / grain
	Chunks(chunks, workers, func(c int) {
		lo := c * grain
		fn(lo, min(lo+grain, n))
	})
}
