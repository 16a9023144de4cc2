package catalog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Plot statuses (plots.status). A plot is created running, and becomes ready
// in the one transaction that stores all its results, or failed.
const (
	PlotRunning = "running"
	PlotReady   = "ready"
	PlotFailed  = "failed"
)

// PlotStaleAfter is how long a running plot may go without a heartbeat
// (SetPlotProgress, PutPlotAtlas) before another process may take it over. A
// plot whose process is gone from this host is stale at once.
const PlotStaleAfter = 10 * time.Minute

// maxPlotName bounds plot names (they appear in URLs and file names).
const maxPlotName = 100

// Errors of plot storage; match them with errors.Is.
var (
	// ErrPlotExists: a plot of that name was made from another filter, model or
	// parameters. Replace it (force) or choose another name.
	ErrPlotExists = errors.New("a plot of that name exists with another filter or parameters")
	// ErrPlotBusy: a live process is computing a plot of that name.
	ErrPlotBusy = errors.New("the plot is being computed")
	// ErrPlotNotReady: the plot is still running or has failed.
	ErrPlotNotReady = errors.New("the plot is not ready")
)

// NewPlot is a plot to make.
type NewPlot struct {
	Name    string
	Filter  Filter
	ModelID int64 // the embedding model; 0 for none
	// Params are the options the plot is computed with (UMAP, HDBSCAN, atlas
	// sizes, seed, …), stored as JSON. Same name, filter, model and params:
	// same plot.
	Params any
}

// Fingerprint identifies what a plot is computed from: the hex SHA-256 of the
// canonical filter, the model and the params as JSON.
func (p NewPlot) Fingerprint() (string, error) {
	params, err := p.paramsJSON()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("filter %s\nmodel %d\nparams %s", p.Filter.String(), p.ModelID, params)))
	return hex.EncodeToString(sum[:]), nil
}

// paramsJSON is Params as compact JSON ("{}" for nil).
func (p NewPlot) paramsJSON() (string, error) {
	if p.Params == nil {
		return "{}", nil
	}
	b, err := json.Marshal(p.Params)
	if err != nil {
		return "", fmt.Errorf("plot %s params: %w", p.Name, err)
	}
	if !json.Valid(b) || len(b) == 0 {
		return "", fmt.Errorf("%w: plot %s params are not JSON", ErrInvalid, p.Name)
	}
	return string(b), nil
}

// Timing is how long a stage of making a plot took.
type Timing struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
}

// PlotInfo describes a stored plot.
type PlotInfo struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Filter      string          `json:"filter"` // canonical (Filter.String); "" = all images
	Params      json.RawMessage `json:"params"`
	Fingerprint string          `json:"fingerprint"`
	ModelID     int64           `json:"model_id"`
	Status      string          `json:"status"`             // PlotRunning, PlotReady or PlotFailed
	Progress    string          `json:"progress,omitempty"` // current stage while running
	Error       string          `json:"error,omitempty"`    // why it failed
	// Stale: running, but its process is gone (or silent for PlotStaleAfter);
	// BeginPlot with the same name takes it over.
	Stale      bool      `json:"stale,omitempty"`
	PID        int       `json:"pid,omitempty"` // process computing it, while running
	Host       string    `json:"host,omitempty"`
	Heartbeat  time.Time `json:"heartbeat,omitzero"`
	ImageCount int       `json:"image_count"`
	Layouts    []string  `json:"layouts"`
	Hotspots   int       `json:"hotspots"`
	Tiers      []int     `json:"tiers"` // atlas tiers (cell heights)
	Timings    []Timing  `json:"timings"`
	Warnings   []string  `json:"warnings"`
	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Label is a caption of a layout, in layout coordinates.
type Label struct {
	Text string  `json:"text"`
	X    float32 `json:"x"`
	Y    float32 `json:"y"`
}

// Layout is one arrangement of a plot's images.
type Layout struct {
	Name      string    // umap, grid, categorical, date, geographic, custom, or umap-… (UMAP variants)
	Positions []float32 // (x, y) per image, in plot order
	Labels    []Label
	CellSize  float32        // side of one image's cell in layout units
	Variant   *LayoutVariant // UMAP layouts only (umap and umap-…)
}

// LayoutVariant says how a UMAP layout was made (plot_layouts.variant):
// the umap layout, its jittered twin (umap-jitter), and the layouts of
// further UMAP parameters with theirs.
type LayoutVariant struct {
	NNeighbors int     `json:"n_neighbors"`
	MinDist    float64 `json:"min_dist"`
	Jitter     bool    `json:"jitter"` // snapped to a grid so that no two images overlap
}

// Hotspot is a cluster of similar images.
type Hotspot struct {
	ID        int        `json:"id"`
	Label     string     `json:"label"`
	Size      int        `json:"size"`
	Centroid  [2]float32 `json:"centroid"`
	Exemplars []int64    `json:"exemplars"` // image ids, most central first
	Members   []int      `json:"members"`   // plot positions
}

// Cell is where an image sits in its tier: atlas index and pixel rectangle.
type Cell struct {
	Atlas int `json:"atlas"`
	X     int `json:"x"`
	Y     int `json:"y"`
	W     int `json:"w"`
	H     int `json:"h"`
}

// Sheet is one atlas: a JPEG of packed thumbnails.
type Sheet struct {
	Index  int    `json:"index"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	JPEG   []byte `json:"-"`
}

// Tier is the atlases of one cell height.
type Tier struct {
	Height int     `json:"height"` // cell height in px (atlases.tier)
	Cells  []Cell  `json:"cells"`  // per image, in plot order
	Sheets []Sheet `json:"sheets"` // by index
}

// PlotResult is everything a plot's computation produced.
type PlotResult struct {
	ImageIDs []int64 // plot order; every per-image array follows it
	Layouts  []Layout
	Hotspots []Hotspot
	// Tiers: a Sheet whose JPEG is nil must have been stored with PutPlotAtlas.
	Tiers    []Tier
	Timings  []Timing
	Warnings []string
}

// runningHere are the plots this process began and has not finished, by
// catalog path and plot id: a plot marked as running by this very pid but not
// listed here was begun by an earlier process with the same pid.
var runningHere = struct {
	sync.Mutex
	ids map[string]bool
}{ids: map[string]bool{}}

func (c *Catalog) markRunning(id int64, running bool) {
	key := fmt.Sprintf("%s\x00%d", c.path, id)
	runningHere.Lock()
	defer runningHere.Unlock()
	if running {
		runningHere.ids[key] = true
	} else {
		delete(runningHere.ids, key)
	}
}

func (c *Catalog) runsHere(id int64) bool {
	runningHere.Lock()
	defer runningHere.Unlock()
	return runningHere.ids[fmt.Sprintf("%s\x00%d", c.path, id)]
}

var hostname = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
})

// checkPlotName allows letters, digits, '-', '_', '.' and spaces inside.
func checkPlotName(name string) error {
	if name == "" || len(name) > maxPlotName {
		return fmt.Errorf("%w: plot name %q must be 1 to %d bytes", ErrInvalid, name, maxPlotName)
	}
	if strings.TrimSpace(name) != name || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%w: plot name %q must not start with a space or '.', nor end with a space", ErrInvalid, name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_. ", r) {
			return fmt.Errorf("%w: plot name %q has %q; use letters, digits, '-', '_', '.' and spaces", ErrInvalid, name, r)
		}
	}
	return nil
}

// BeginPlot starts making plot p: it stores it as running and returns its id,
// unless a ready plot of that name was made from the same filter, model and
// params, which it returns as existing (id is then its id) for the caller to
// reuse; force recomputes it anyway. The same name with another filter, model
// or params is ErrPlotExists unless force (which replaces the plot); a name
// being computed by a live process is ErrPlotBusy. A failed or stale plot of
// that name is replaced. The hotspots made by hand of a replaced plot go to
// the new one, which places them among its images when it finishes.
//
// The caller then reports progress (SetPlotProgress, at least every minute),
// may stream atlases (PutPlotAtlas), and ends with FinishPlot or FailPlot.
func (c *Catalog) BeginPlot(ctx context.Context, p NewPlot, force bool) (id int64, existing *PlotInfo, err error) {
	if err := checkPlotName(p.Name); err != nil {
		return 0, nil, err
	}
	if err := p.Filter.Check(); err != nil {
		return 0, nil, err
	}
	params, err := p.paramsJSON()
	if err != nil {
		return 0, nil, err
	}
	fingerprint, err := p.Fingerprint()
	if err != nil {
		return 0, nil, err
	}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		old, err := plotByName(ctx, tx, p.Name)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old.Status == PlotReady && old.Fingerprint == fingerprint && !force:
			c.setStale(&old)
			existing, id = &old, old.ID
			return nil
		case old.Status == PlotReady && !force:
			return fmt.Errorf("%w: plot %q was made from filter %q with other parameters; use another name, or force to replace it",
				ErrPlotExists, p.Name, old.Filter)
		case old.Status == PlotRunning && !c.setStale(&old):
			return fmt.Errorf("%w: plot %q is being computed by process %d on %s (%s)", ErrPlotBusy, p.Name, old.PID, old.Host, old.Progress)
		}
		var carried []carriedHotspot
		if err == nil { // replace the old plot, its results and atlases; keep its hand-made hotspots
			if carried, err = readCarriedHotspots(ctx, tx, old); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM plots WHERE id = ?`, old.ID); err != nil {
				return err
			}
		}
		var model any
		if p.ModelID != 0 {
			model = p.ModelID
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO plots(name, filter, params, fingerprint, model_id, status, progress,
			pid, host, heartbeat_at) VALUES (?, ?, ?, ?, ?, 'running', 'starting', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
			RETURNING id`, p.Name, p.Filter.String(), params, fingerprint, model, os.Getpid(), hostname()).Scan(&id)
		if err != nil {
			return err
		}
		return storeCarriedHotspots(ctx, tx, id, carried)
	})
	if err != nil {
		return 0, nil, fmt.Errorf("begin plot %s: %w", p.Name, err)
	}
	if existing == nil {
		c.markRunning(id, true)
	}
	return id, existing, nil
}

// setStale sets and returns p.Stale: running, and either its process is gone
// from this host or it has been silent for PlotStaleAfter.
func (c *Catalog) setStale(p *PlotInfo) bool {
	p.Stale = false
	if p.Status != PlotRunning {
		return false
	}
	switch {
	case time.Since(p.Heartbeat) > PlotStaleAfter:
		p.Stale = true
	case p.Host != hostname():
	case p.PID == os.Getpid():
		p.Stale = !c.runsHere(p.ID)
	default:
		p.Stale = !processAlive(p.PID)
	}
	return p.Stale
}

// SetPlotProgress records the stage a running plot is at, which is also its
// heartbeat. It fails (ErrNotFound) when the plot is no longer running here:
// removed, or taken over as stale; the caller should then stop.
func (c *Catalog) SetPlotProgress(ctx context.Context, id int64, text string) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		return touchRunningPlot(ctx, tx, id, &text)
	})
}

// touchRunningPlot refreshes a running plot's heartbeat, and its progress
// text unless progress is nil.
func touchRunningPlot(ctx context.Context, tx *sql.Tx, id int64, progress *string) error {
	res, err := tx.ExecContext(ctx, `UPDATE plots SET progress = coalesce(?, progress),
		heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND status = 'running'`, progress, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("plot %d is no longer running (removed, or taken over by another process): %w", id, ErrNotFound)
	}
	return nil
}

// PutPlotAtlas stores one atlas of a running plot as soon as it is rendered,
// so that a large plot's atlases never all sit in memory. It becomes visible
// with the rest of the plot when FinishPlot makes it ready.
func (c *Catalog) PutPlotAtlas(ctx context.Context, id int64, tier int, s Sheet) error {
	if err := checkSheet(tier, s); err != nil {
		return fmt.Errorf("plot %d: %w", id, err)
	}
	if len(s.JPEG) == 0 {
		return fmt.Errorf("%w: plot %d tier %d atlas %d has no JPEG", ErrInvalid, id, tier, s.Index)
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if err := touchRunningPlot(ctx, tx, id, nil); err != nil {
			return err
		}
		return putAtlas(ctx, tx, id, tier, s)
	})
}

func putAtlas(ctx context.Context, tx *sql.Tx, id int64, tier int, s Sheet) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO atlases(plot_id, tier, idx, width, height, jpeg)
		VALUES (?, ?, ?, ?, ?, ?)`, id, tier, s.Index, s.Width, s.Height, s.JPEG)
	return err
}

func checkSheet(tier int, s Sheet) error {
	if tier <= 0 || s.Index < 0 || s.Width <= 0 || s.Height <= 0 {
		return fmt.Errorf("%w: atlas %d of tier %d is %dx%d", ErrInvalid, s.Index, tier, s.Width, s.Height)
	}
	return nil
}

// FailPlot marks a running plot failed with cause's message and drops what
// it had stored (streamed atlases), keeping the hand-made hotspots it carries
// for the next try. The name can then be made again.
func (c *Catalog) FailPlot(ctx context.Context, id int64, cause error) error {
	msg := "failed"
	if cause != nil {
		msg = cause.Error()
	}
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE plots SET status = 'failed', error = ?, progress = NULL, pid = NULL,
			host = NULL, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND status = 'running'`, msg, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("plot %d is not running: %w", id, ErrNotFound)
		}
		return deletePlotResults(ctx, tx, id, true)
	})
	c.markRunning(id, false)
	return err
}

// deletePlotResults removes a plot's stored results (and atlases when asked);
// hotspots made by hand are not results and stay.
func deletePlotResults(ctx context.Context, tx *sql.Tx, id int64, atlases bool) error {
	tables := []string{"plot_images", "plot_layouts", "hotspots", "atlas_cells"}
	if atlases {
		tables = append(tables, "atlases")
	}
	for _, table := range tables {
		where := "plot_id = ?"
		if table == "hotspots" {
			where += " AND origin = '" + originHDBSCAN + "'"
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+where, id); err != nil {
			return err
		}
	}
	return nil
}

// RemovePlot removes the plot called name with its layouts, hotspots and
// atlases; images and everything else stay.
func (c *Catalog) RemovePlot(ctx context.Context, name string) error {
	var id int64
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM plots WHERE name = ? RETURNING id`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("plot %q: %w", name, ErrNotFound)
		}
		return err
	})
	if err == nil {
		c.markRunning(id, false)
	}
	return err
}
