package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/ingest/metadata"
)

// Run ingests opt.Images (and opt.Metadata) into cat with emb's model and
// returns what it did. The error is non-nil only when the run could not be
// done (spec or metadata unusable, catalog failure, cancelled); per-file
// problems are in the summary and in ingest_errors. Map the result to an exit
// status with Summary.Outcome (OutcomeFailed whenever err is non-nil).
func Run(ctx context.Context, cat *catalog.Catalog, emb Embedder, opt Options) (Summary, error) {
	opt = opt.withDefaults()
	start := time.Now()
	model, err := cat.EnsureModel(ctx, emb.Model())
	if err != nil {
		return Summary{}, err
	}
	// The model last ingested with is the one similar search and plots use.
	if err := cat.SetActiveModel(ctx, model.ID); err != nil {
		return Summary{}, err
	}
	runID, err := cat.StartRun(ctx, opt.Images, opt.Metadata, model.ID)
	if err != nil {
		return Summary{}, err
	}
	r := &run{cat: cat, emb: emb, opt: opt, model: model, runID: runID}
	r.summary.RunID = runID
	err = r.execute(ctx)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		r.summary.Interrupted = true
	}
	r.summary.finish(start)
	record := runRecord{Summary: r.summary, Outcome: r.summary.Outcome().String()}
	if err != nil {
		record.Outcome, record.Error = OutcomeFailed.String(), err.Error()
	}
	if ferr := cat.FinishRun(context.WithoutCancel(ctx), runID, record); ferr != nil && err == nil {
		err = ferr
	}
	return r.summary, err
}

// runRecord is the summary stored in ingest_runs.summary.
type runRecord struct {
	Summary
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// run is one ingest run's state.
type run struct {
	cat      *catalog.Catalog
	emb      Embedder
	opt      Options
	model    pixplot.Model
	runID    int64
	summary  Summary
	recorded map[string]int // ingest_errors entries written, by stage
}

// maxRecordedProblems bounds the ingest_errors entries of one kind a run
// writes (each is a transaction); the summary still counts them all.
const maxRecordedProblems = 1000

// recordProblem stores a problem in ingest_errors and names the first few in
// the summary. Failing to record one is not worth stopping the run for.
func (r *run) recordProblem(ctx context.Context, path, stage, message string) {
	if len(r.summary.Problems) < problemExamples {
		r.summary.Problems = append(r.summary.Problems, path+": "+message)
	}
	if r.recorded[stage] >= maxRecordedProblems {
		return
	}
	if r.recorded == nil {
		r.recorded = map[string]int{}
	}
	r.recorded[stage]++
	_ = r.cat.RecordError(context.WithoutCancel(ctx), r.runID, path, stage, message)
}

func (r *run) execute(ctx context.Context) error {
	disc, err := Discover(ctx, r.opt.Images, r.opt.Remote)
	if err != nil {
		return err
	}
	for _, p := range disc.Problems {
		r.recordProblem(ctx, p.Path, p.Stage, p.Message)
	}
	r.summary.DiscoveryProblems = len(disc.Problems)
	r.summary.Discovered = len(disc.Items)
	if len(disc.Items) == 0 {
		return fmt.Errorf("no images found in %s", r.opt.Images)
	}
	join, err := r.loadAndJoinMetadata(ctx, disc.Items)
	if err != nil {
		return err
	}
	known, err := r.cat.Known(ctx, r.model.ID)
	if err != nil {
		return err
	}
	jobs, err := r.plan(ctx, disc.Items, join, known)
	if err != nil {
		return err
	}
	if r.opt.Progress != nil {
		fmt.Fprintf(r.opt.Progress, "ingest: %d images found, %d unchanged, %d to read\n",
			len(disc.Items), r.summary.Unchanged, len(jobs))
	}
	if err := r.pipeline(ctx, jobs); err != nil {
		return err
	}
	return r.handleRemoved(ctx, disc, known)
}

// loadAndJoinMetadata reads the metadata (if any) and matches it to the items;
// problems are recorded, an unusable metadata file is an error.
func (r *run) loadAndJoinMetadata(ctx context.Context, items []Item) (Join, error) {
	var table metadata.Table
	if r.opt.Metadata != "" {
		var err error
		if table, err = LoadMetadata(r.opt.Metadata); err != nil {
			return Join{}, err
		}
	}
	join := JoinMetadata(items, table.Rows)
	for _, p := range table.Problems {
		r.recordProblem(ctx, p.Where(), StageMetadata, p.Message) // one entry per file, row and column
	}
	for _, p := range join.Problems {
		r.recordProblem(ctx, p.Path, p.Stage, p.Message)
	}
	s := &r.summary
	s.MetadataRows = len(table.Rows)
	s.MetadataMatched = join.Matched
	s.MetadataProblems = len(table.Problems) + len(join.Problems)
	s.MetadataUnmatched = len(join.Unmatched)
	for _, row := range join.Unmatched {
		if len(s.UnmatchedExamples) == exampleCount {
			break
		}
		s.UnmatchedExamples = append(s.UnmatchedExamples, fmt.Sprintf("%q (%s)", row.Filename, row.Where()))
	}
	return join, nil
}

// job is one image the pipeline reads.
type job struct {
	item  Item
	known *catalog.KnownImage // nil for a new image
	meta  *pixplot.Metadata   // from this run's metadata or manifest; nil: keep what is stored
}

// plan skips the images that need no reading — stored with a vector and
// thumbnails and, for files, the same size and modification time (URLs are
// taken as immutable) — updating their metadata where it changed, and
// returns the others.
func (r *run) plan(ctx context.Context, items []Item, join Join, known map[string]catalog.KnownImage) ([]job, error) {
	var jobs []job
	for i, it := range items {
		k, isKnown := known[it.Source]
		meta, hasMeta := join.Meta[i]
		j := job{item: it}
		if hasMeta {
			j.meta = &meta
		}
		if !isKnown {
			jobs = append(jobs, j)
			continue
		}
		j.known = &k
		if j.meta != nil && len(join.Dropped[i]) > 0 {
			if err := r.keepStoredValues(ctx, j, join.Dropped[i]); err != nil {
				return nil, err
			}
		}
		sameFile := it.Remote() || (it.Size == k.Bytes && it.ModTime == k.ModTime)
		if !sameFile || !k.HasVector || !k.HasThumbs {
			jobs = append(jobs, j)
			continue
		}
		r.summary.Unchanged++
		if err := r.updateMetadata(ctx, k, j.meta); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// keepStoredValues puts the stored values of a known image back into the
// columns where this run's row had bad values: a dropped value is no value,
// not an instruction to clear what the catalog holds.
func (r *run) keepStoredValues(ctx context.Context, j job, columns []string) error {
	stored, err := r.cat.Image(ctx, j.known.ID)
	if err != nil {
		return fmt.Errorf("reading stored metadata of %s: %w", j.item.Path, err)
	}
	m, old := j.meta, stored.Meta
	for _, c := range columns {
		switch c {
		case "category":
			m.Category = old.Category
		case "description":
			m.Description = old.Description
		case "permalink":
			m.Permalink = old.Permalink
		case "label":
			m.Label = old.Label
		case "tags":
			m.Tags = old.Tags
		case "year":
			m.Year = old.Year
		case "lat":
			m.Lat = old.Lat
		case "lng":
			m.Lng = old.Lng
		case "x":
			m.X = old.X
		case "y":
			m.Y = old.Y
		default:
			if v, ok := old.Extra[c]; ok {
				if m.Extra == nil {
					m.Extra = map[string]string{}
				}
				m.Extra[c] = v
			}
		}
	}
	return nil
}

// updateMetadata stores meta for a stored image when it differs from what is stored.
func (r *run) updateMetadata(ctx context.Context, k catalog.KnownImage, meta *pixplot.Metadata) error {
	if meta == nil || catalog.MetadataDigest(*meta) == k.MetaDigest {
		return nil
	}
	if err := r.cat.UpdateMetadata(ctx, k.ID, *meta); err != nil {
		return err
	}
	r.summary.MetadataUpdated++
	return nil
}

// handleRemoved reports (and with Prune removes) stored images that the spec
// covers but discovery no longer found.
func (r *run) handleRemoved(ctx context.Context, disc Discovery, known map[string]catalog.KnownImage) error {
	gone := removedSources(disc, known)
	r.summary.Removed = len(gone)
	r.summary.RemovedExamples = gone[:min(len(gone), exampleCount)]
	if !r.opt.Prune || len(gone) == 0 {
		return nil
	}
	if _, err := r.cat.Prune(ctx, gone); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	r.summary.Pruned = true
	return nil
}
