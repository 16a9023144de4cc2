package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pixplot/pixplot"
)

// Similar-image search keeps an in-memory quantIndex per model (see
// simindex.go) and ranks its candidates exactly with the float32 vectors of
// the `embeddings` table, so results carry exact distances. The index is
// built lazily, in the background, on a model's first search; until it is
// ready, and whenever it is stale, searches use the exact sqlite-vec scan,
// so no query waits for a build.
//
// Staleness: every write that changes stored vectors bumps
// settings.vectors_generation in its own transaction (see batch.finish), so
// a search compares one small row with the generation its index was built at
// and sees writes made by other connections and processes as well.

// indexMinRows is the fewest vectors a model needs for an index: below it
// the exact vec0 scan is already fast (about 5 ms at 20,000 × 768) and an
// index would only cost memory.
const indexMinRows = 20000

// meanSample is how many vectors the centre of the binary codes is estimated from.
const meanSample = 4096

// rebuildPause bounds the CPU spent on rebuilds while another process keeps
// writing (ingest next to serve): a rebuild starts no sooner than this many
// times the last build's duration after it ended (and at least a second).
const rebuildPause = 4

// similarIndexes holds the per-model indexes of one Catalog.
type similarIndexes struct {
	minRows int // models with fewer vectors are searched by vec0 alone

	mu     sync.Mutex
	models map[int64]*modelIndex

	builds   sync.WaitGroup
	stop     context.Context // cancelled by close: running builds give up
	stopAll  context.CancelFunc
	searches searchCounts
}

// searchCounts counts the searches answered by each path.
type searchCounts struct {
	indexed, exact atomic.Int64
}

// modelIndex is one model's index and the state of its builds.
type modelIndex struct {
	index      *quantIndex   // nil when the model had fewer than minRows vectors
	built      bool          // index reflects generation
	generation int64         // settings.vectors_generation when it was built
	building   chan struct{} // non-nil while a build runs; closed when it ends
	notBefore  time.Time     // earliest start of the next background rebuild
	err        error         // the last build's error
}

func newSimilarIndexes() *similarIndexes {
	stop, stopAll := context.WithCancel(context.Background())
	return &similarIndexes{minRows: indexMinRows, models: map[int64]*modelIndex{}, stop: stop, stopAll: stopAll}
}

// close stops the builds in flight and waits for them. No build starts
// after it (startBuild runs under mu and checks stop).
func (s *similarIndexes) close() {
	s.mu.Lock()
	s.stopAll()
	s.mu.Unlock()
	s.builds.Wait()
}

func (s *similarIndexes) state(modelID int64) *modelIndex {
	st, ok := s.models[modelID]
	if !ok {
		st = &modelIndex{}
		s.models[modelID] = st
	}
	return st
}

// vectorsGeneration reads settings.vectors_generation (0 when no vector was
// ever written with it).
func vectorsGeneration(ctx context.Context, q queryer) (int64, error) {
	var gen int64
	err := q.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'vectors_generation'`).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return gen, err
}

// currentIndex is model m's index when it is up to date, else nil (after
// starting a background build when none runs and the pause has passed).
func (c *Catalog) currentIndex(ctx context.Context, m pixplot.Model) *quantIndex {
	gen, err := vectorsGeneration(ctx, c.read)
	if err != nil {
		return nil
	}
	s := c.similar
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(m.ID)
	if st.built && st.generation == gen {
		return st.index
	}
	if st.building == nil && !time.Now().Before(st.notBefore) {
		c.startBuild(m, st)
	}
	return nil
}

// startBuild builds model m's index in the background and returns a channel
// closed when the build ends; s.mu is held. The stale index is dropped at
// once: no search uses it any more.
func (c *Catalog) startBuild(m pixplot.Model, st *modelIndex) chan struct{} {
	s := c.similar
	done := make(chan struct{})
	if err := s.stop.Err(); err != nil { // the catalog is closing
		st.err = fmt.Errorf("similar-image index of model %s: %w", m.Name, err)
		close(done)
		return done
	}
	st.building = done
	st.index, st.built = nil, false
	s.builds.Add(1)
	go func() {
		defer s.builds.Done()
		start := time.Now()
		index, gen, err := c.buildIndex(s.stop, m)
		took := time.Since(start)
		s.mu.Lock()
		defer s.mu.Unlock()
		st.building = nil
		st.err = err
		st.notBefore = time.Now().Add(max(time.Second, rebuildPause*took))
		if err == nil {
			st.index, st.generation, st.built = index, gen, true
		}
		close(done)
	}()
	return done
}

// PrepareSimilar builds the in-memory search index of model modelID now and
// waits for it, so that the following Similar calls use it at once instead of
// the exact scan (a server calls it in the background at start; a benchmark
// before timing). It returns at once when the index is current or the model
// has too few vectors to need one.
func (c *Catalog) PrepareSimilar(ctx context.Context, modelID int64) error {
	m, err := c.Model(ctx, modelID)
	if err != nil {
		return err
	}
	gen, err := vectorsGeneration(ctx, c.read)
	if err != nil {
		return err
	}
	s := c.similar
	var own chan struct{} // the build this call started
	for {
		s.mu.Lock()
		st := s.state(m.ID)
		switch {
		case st.built && st.generation >= gen:
			s.mu.Unlock()
			return nil
		case own != nil: // it read the vectors after gen: older only when it failed
			err := st.err
			s.mu.Unlock()
			return err
		}
		done := st.building
		if done == nil {
			own = c.startBuild(m, st)
			done = own
		}
		s.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// buildIndex reads model m's vectors in one read transaction (so the
// generation matches them) and returns their index, or nil when there are
// fewer than minRows.
func (c *Catalog) buildIndex(ctx context.Context, m pixplot.Model) (*quantIndex, int64, error) {
	tx, err := c.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	gen, err := vectorsGeneration(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM embeddings WHERE model_id = ?`, m.ID).Scan(&n); err != nil {
		return nil, 0, err
	}
	if n < c.similar.minRows || n == 0 {
		return nil, gen, nil
	}
	mean, err := sampleMean(ctx, tx, m, n)
	if err != nil {
		return nil, 0, err
	}
	b := newQuantBuilder(mean, n)
	v := make([]float32, m.Dims)
	err = eachVector(ctx, tx, m, `SELECT image_id, vector FROM embeddings WHERE model_id = ?1 ORDER BY image_id`,
		func(id int64) { b.add(id, v) }, v, m.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("index vectors of model %s: %w", m.Name, err)
	}
	return b.finish(), gen, nil
}

// sampleMean is the mean of about meanSample of model m's n vectors, taken
// evenly over the image ids (ingest order), which estimates the mean of all.
func sampleMean(ctx context.Context, tx *sql.Tx, m pixplot.Model, n int) ([]float32, error) {
	sum := make([]float64, m.Dims)
	taken := 0
	v := make([]float32, m.Dims)
	err := eachVector(ctx, tx, m, `SELECT image_id, vector FROM embeddings WHERE model_id = ?1 AND image_id IN (
			SELECT image_id FROM (SELECT image_id, row_number() OVER (ORDER BY image_id) AS rank
				FROM embeddings WHERE model_id = ?1) WHERE rank % ?2 = 0)`,
		func(int64) {
			for i, f := range v {
				sum[i] += float64(f)
			}
			taken++
		}, v, m.ID, max(1, n/meanSample))
	if err != nil {
		return nil, fmt.Errorf("sample vectors of model %s: %w", m.Name, err)
	}
	mean := make([]float32, m.Dims)
	for i, s := range sum {
		mean[i] = float32(s / float64(max(taken, 1)))
	}
	return mean, nil
}

// eachVector runs query (columns image_id, vector) and calls use for each row
// after decoding the vector into v.
func eachVector(ctx context.Context, tx *sql.Tx, m pixplot.Model, query string, use func(id int64), v []float32, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var blob sql.RawBytes
		if err := rows.Scan(&id, &blob); err != nil {
			return err
		}
		if len(blob) != 4*m.Dims {
			return fmt.Errorf("image %d: %w: stored vector has %d bytes, expected %d", id, ErrWrongDims, len(blob), 4*m.Dims)
		}
		decodeInto(v, blob)
		use(id)
	}
	return rows.Err()
}

// searchDepthFor is how many candidates each stage keeps to find k
// neighbours among n vectors with recall@k ≥ 0.99 (measured on clustered
// 768-d embeddings: see BenchmarkSimilar and TestQuantIndex_RecallAt20...).
func searchDepthFor(n, k int) searchDepth {
	rerank := max(100, 5*k)
	return searchDepth{shortlist: max(1000, n/50, 4*rerank), rerank: rerank}
}

// similarIndexed answers Similar with index x: candidates from the index,
// then an exact ranking of them with the stored float32 vectors. unit is the
// query scaled to length 1.
func (c *Catalog) similarIndexed(ctx context.Context, x *quantIndex, m pixplot.Model, unit []float32, k int, opt SimilarOptions) ([]pixplot.Neighbor, error) {
	var rows []int32
	n := x.rows()
	if opt.Within != nil {
		rows = x.rowsOf(opt.Within)
		n = len(rows)
	}
	neighbors := make([]pixplot.Neighbor, 0, k)
	if n == 0 {
		return neighbors, nil
	}
	ids := x.candidates(unit, rows, opt.Exclude, searchDepthFor(n, k))
	list, _ := json.Marshal(ids)
	q, err := c.read.QueryContext(ctx, `SELECT e.image_id, i.filename, e.vector
		FROM embeddings e JOIN images i ON i.id = e.image_id
		WHERE e.model_id = ?1 AND e.image_id IN (SELECT value FROM json_each(?2))`, m.ID, string(list))
	if err != nil {
		return nil, fmt.Errorf("similar (model %d): %w", m.ID, err)
	}
	defer q.Close()
	v := make([]float32, m.Dims)
	for q.Next() {
		var n pixplot.Neighbor
		var blob sql.RawBytes
		if err := q.Scan(&n.ID, &n.Filename, &blob); err != nil {
			return nil, err
		}
		if len(blob) != 4*m.Dims {
			return nil, fmt.Errorf("image %d: %w: stored vector has %d bytes, expected %d", n.ID, ErrWrongDims, len(blob), 4*m.Dims)
		}
		if n.ID == opt.Exclude {
			continue
		}
		decodeInto(v, blob)
		n.Distance = halfSquaredDistance(unit, v)
		neighbors = append(neighbors, n)
	}
	if err := q.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(neighbors, func(a, b pixplot.Neighbor) int {
		if a.Distance != b.Distance {
			if a.Distance < b.Distance {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	return neighbors[:min(k, len(neighbors))], nil
}

// halfSquaredDistance is |a−b|²/2: the cosine distance 1 − cos of unit
// vectors, computed the way sqlite-vec's L2 distance is reported (see
// cosineDistance).
func halfSquaredDistance(a, b []float32) float64 {
	b = b[:len(a)]
	var sum float64
	for i, x := range a {
		d := float64(x) - float64(b[i])
		sum += d * d
	}
	return sum / 2
}
