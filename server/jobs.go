package server

import (
	"context"
	"errors"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/plot"
	"github.com/pixplot/pixplot/plotjob"
)

// PlotRequest is a plot created through the API: a name, the filter that
// selects its images, and the options it is computed with.
type PlotRequest struct {
	Name    string
	Filter  catalog.Filter
	Options plot.Options
}

// PlotFunc computes and stores the plot req in cat, reporting progress in
// the catalog (plots.progress) as `pixplot plot` does, and marks it failed
// in the catalog when it fails, also when ctx is cancelled.
type PlotFunc func(ctx context.Context, cat *catalog.Catalog, req PlotRequest) error

// RunPlot is the PlotFunc of `pixplot serve`: the code path of `pixplot plot`,
// with the catalog's active model.
func RunPlot(ctx context.Context, cat *catalog.Catalog, req PlotRequest) error {
	_, err := plotjob.Make(ctx, cat, plotjob.Request{Name: req.Name, Filter: req.Filter, Options: req.Options}, nil)
	return err
}

// jobQueue runs plot jobs one at a time in a background goroutine. It
// remembers, per plot name, what the catalog cannot tell yet: that a job is
// queued or selecting its images (before the catalog has its row), and why
// a job failed before its row existed.
type jobQueue struct {
	s       *Server
	pending chan *job
	ctx     context.Context // cancelled by close: running jobs stop, queued ones fail
	cancel  context.CancelFunc
	done    chan struct{}

	mu   sync.Mutex
	jobs map[string]*job // by plot name: queued, running, or failed
}

// job is one plot request's state.
type job struct {
	req      PlotRequest
	queuedAt time.Time
	running  bool
	finished time.Time // zero until it ends
	err      error     // why it failed
}

func newJobQueue(s *Server, size int) *jobQueue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &jobQueue{s: s, pending: make(chan *job, size), ctx: ctx, cancel: cancel,
		done: make(chan struct{}), jobs: map[string]*job{}}
	go q.work()
	return q
}

// errQueueFull: more plots are waiting than the queue holds.
var errQueueFull = errors.New("too many plots are waiting to be computed; try again when one is done")

// errShuttingDown: the server is stopping.
var errShuttingDown = errors.New("the server is shutting down")

// submit queues req unless a job of that name is queued or running
// (errJobActive), the queue is full or the server is stopping.
func (q *jobQueue) submit(req PlotRequest) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ctx.Err() != nil {
		return errShuttingDown
	}
	if j, ok := q.jobs[req.Name]; ok && j.finished.IsZero() {
		return errJobActive
	}
	q.forgetOldFailures()
	j := &job{req: req, queuedAt: time.Now()}
	select {
	case q.pending <- j:
		q.jobs[req.Name] = j
		return nil
	default:
		return errQueueFull
	}
}

// maxRememberedFailures bounds how many failed jobs are remembered; the
// oldest are forgotten first (their plots then read as absent, or as the
// catalog has them).
const maxRememberedFailures = 100

// forgetOldFailures drops the oldest failed jobs past maxRememberedFailures. q.mu is held.
func (q *jobQueue) forgetOldFailures() {
	var failed []*job
	for _, j := range q.jobs {
		if !j.finished.IsZero() {
			failed = append(failed, j)
		}
	}
	if len(failed) < maxRememberedFailures {
		return
	}
	sort.Slice(failed, func(a, b int) bool { return failed[a].finished.Before(failed[b].finished) })
	for _, j := range failed[:len(failed)-maxRememberedFailures+1] {
		delete(q.jobs, j.req.Name)
	}
}

// errJobActive: a job of that name is queued or running in this server.
var errJobActive = errors.New("a plot of that name is being computed")

// work runs queued jobs until close.
func (q *jobQueue) work() {
	defer close(q.done)
	for {
		select {
		case <-q.ctx.Done():
			q.failQueued()
			return
		case j := <-q.pending:
			q.run(j)
		}
	}
}

func (q *jobQueue) run(j *job) {
	q.mu.Lock()
	j.running = true
	q.mu.Unlock()
	start := time.Now()
	var err error
	if q.ctx.Err() != nil {
		err = errShuttingDown
	} else if q.s.opt.Plot == nil {
		err = errors.New("this server cannot compute plots")
	} else {
		err = q.s.opt.Plot(q.ctx, q.s.cat, j.req)
	}
	if q.ctx.Err() != nil && err != nil {
		err = errShuttingDown
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	j.running, j.finished, j.err = false, time.Now(), err
	if err == nil {
		delete(q.jobs, j.req.Name) // the catalog tells the rest
		q.s.logf("plot %s ready in %v", j.req.Name, time.Since(start).Round(time.Millisecond))
		return
	}
	q.s.logf("plot %s failed: %v", j.req.Name, err)
}

// failQueued ends the jobs that never started.
func (q *jobQueue) failQueued() {
	for {
		select {
		case j := <-q.pending:
			q.mu.Lock()
			j.finished, j.err = time.Now(), errShuttingDown
			q.mu.Unlock()
		default:
			return
		}
	}
}

// state returns a copy of the job of that name, if any.
func (q *jobQueue) state(name string) (job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[name]
	if !ok {
		return job{}, false
	}
	return *j, true
}

// all returns copies of every remembered job.
func (q *jobQueue) all() []job {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]job, 0, len(q.jobs))
	for _, j := range q.jobs {
		out = append(out, *j)
	}
	return out
}

// close cancels the running job (which marks its plot failed), fails the
// queued ones and waits up to wait for the worker to stop. A plot stage that
// does not notice the cancellation in time (UMAP checks between stages) has
// its plot marked failed here, so the catalog can be closed.
func (q *jobQueue) close(wait time.Duration) {
	q.mu.Lock()
	q.cancel()
	var running *job
	for _, j := range q.jobs {
		if j.running {
			running = j
		}
	}
	q.mu.Unlock()
	select {
	case <-q.done:
		return
	case <-time.After(wait):
	}
	if running == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := q.s.cat.Plot(ctx, running.req.Name)
	if err == nil && info.Status == catalog.PlotRunning && info.PID == os.Getpid() {
		err = q.s.cat.FailPlot(ctx, info.ID, errShuttingDown)
	}
	if err != nil {
		q.s.logf("plot %s: could not mark it failed at shutdown: %v", running.req.Name, err)
	}
}
