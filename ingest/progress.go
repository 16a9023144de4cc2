package ingest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports how far the pipeline is: on a terminal one bar line
// rewritten in place, otherwise a plain line every interval.
type progress struct {
	w        io.Writer
	terminal bool
	total    int
	start    time.Time
	done     atomic.Int64 // images finished (stored or failed)
	stop     chan struct{}
	wg       sync.WaitGroup
}

func startProgress(w io.Writer, terminal bool, total int, interval time.Duration) *progress {
	p := &progress{w: w, terminal: terminal, total: total, start: time.Now(), stop: make(chan struct{})}
	if w == nil || total == 0 {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.print()
			}
		}
	}()
	return p
}

// end stops reporting; on a terminal it finishes the bar line.
func (p *progress) end() {
	close(p.stop)
	p.wg.Wait()
	if p.w != nil && p.total > 0 && p.terminal {
		p.print()
		fmt.Fprintln(p.w)
	}
}

func (p *progress) print() {
	line := progressLine(int(p.done.Load()), p.total, time.Since(p.start), p.terminal)
	if p.terminal {
		fmt.Fprint(p.w, "\r\x1b[K"+line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// progressLine renders count/total, images/s and the ETA, with a bar on terminals.
func progressLine(done, total int, elapsed time.Duration, bar bool) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	stats := fmt.Sprintf("%d/%d images  %.1f images/s  ETA %s", done, total, rate, eta)
	if !bar {
		return "ingest: " + stats
	}
	const width = 30
	filled := width * done / max(total, 1)
	return "ingest [" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] " + stats
}
