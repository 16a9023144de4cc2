package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/imagecodec"
)

// result is one job on its way through the pipeline.
type result struct {
	job    job
	rec    catalog.ImageRecord
	tensor []float32 // model input, until embedded
	touch  bool      // bytes unchanged: only the modification time is new
	stage  string    // where it failed, with err
	err    error
}

// pipeline runs the jobs through bounded stages:
//
//	feeder → Workers × (read, sha256, decode, thumbnails, tensor) → one embedder
//	(batches of BatchSize) → one writer (PutImages every CommitEvery images or
//	CommitInterval)
//
// Channels hold at most a few batches, so memory stays bounded whatever the
// number of images; the slowest stage (usually inference) sets the pace.
func (r *run) pipeline(ctx context.Context, jobs []job) error {
	if len(jobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	prog := startProgress(r.opt.Progress, r.opt.IsTerminal, len(jobs), r.opt.ProgressInterval)
	defer prog.end()

	jobCh := make(chan job, r.opt.Workers)
	decodedCh := make(chan result, 2*r.opt.BatchSize)
	embeddedCh := make(chan result, r.opt.CommitEvery)

	go func() {
		defer close(jobCh)
		for _, j := range jobs {
			select {
			case jobCh <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for range r.opt.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobCh {
				if !send(ctx, decodedCh, r.prepare(ctx, j)) {
					return
				}
			}
		}()
	}
	go func() {
		workers.Wait()
		close(decodedCh)
	}()
	go func() {
		defer close(embeddedCh)
		r.embedStage(ctx, decodedCh, embeddedCh)
	}()
	err := r.writeStage(ctx, embeddedCh, prog)
	if err != nil {
		cancel(err)
	}
	for range embeddedCh { // let the other stages finish
	}
	if err == nil {
		err = context.Cause(ctx)
	}
	return err
}

func send(ctx context.Context, ch chan<- result, r result) bool {
	select {
	case ch <- r:
		return true
	case <-ctx.Done():
		return false
	}
}

// prepare reads, hashes and decodes one image and makes its thumbnails and
// model tensor. An image whose bytes are unchanged becomes a touch.
func (r *run) prepare(ctx context.Context, j job) result {
	res := result{job: j}
	fail := func(stage string, err error) result {
		res.stage, res.err = stage, err
		return res
	}
	data, size, mtime, err := r.read(ctx, j.item)
	if err != nil {
		return fail(StageRead, err)
	}
	sum := sha256.Sum256(data)
	img := pixplot.Image{
		Source: j.item.Source, Path: j.item.Path, Filename: j.item.Filename,
		SHA256: hex.EncodeToString(sum[:]), Bytes: size, ModTime: mtime,
	}
	k := j.known
	sameBytes := k != nil && k.SHA256 == img.SHA256
	if sameBytes && k.HasVector && k.HasThumbs {
		res.rec.Image = img
		res.touch = true
		return res
	}
	decoded, err := imagecodec.Decode(data, imagecodec.Options{MaxPixels: r.opt.MaxPixels, MinSide: r.minSide()})
	if err != nil {
		return fail(StageDecode, err)
	}
	img.Width, img.Height, img.Format = decoded.Width, decoded.Height, decoded.Format
	if img.Meta, err = r.metadataFor(ctx, j); err != nil {
		return fail(StageStore, err)
	}
	res.rec.Image = img
	if !(sameBytes && k.HasThumbs) {
		if res.rec.Thumbs, err = imagecodec.Thumbnails(decoded.Image); err != nil {
			return fail(StageDecode, err)
		}
	}
	res.tensor = r.emb.Tensorize(decoded.Image)
	return res
}

// minSide is the smallest side decoding may shrink an image to: enough for the
// model input and the preview thumbnail.
func (r *run) minSide() int {
	return max(r.model.Preprocess.Size, pixplot.PreviewSide)
}

// metadataFor is the metadata to store with a re-read image: this run's, or
// else what the catalog has (so re-reading a changed file keeps its metadata).
func (r *run) metadataFor(ctx context.Context, j job) (pixplot.Metadata, error) {
	switch {
	case j.meta != nil:
		return *j.meta, nil
	case j.known == nil:
		return pixplot.Metadata{}, nil
	}
	stored, err := r.cat.Image(ctx, j.known.ID)
	if err != nil {
		return pixplot.Metadata{}, fmt.Errorf("reading stored metadata: %w", err)
	}
	return stored.Meta, nil
}

// read returns the bytes of a file or URL with the size and modification
// time to store (0 for URLs).
func (r *run) read(ctx context.Context, it Item) ([]byte, int64, int64, error) {
	if it.Remote() {
		data, err := r.download(ctx, it)
		return data, int64(len(data)), 0, err
	}
	f, err := os.Open(it.Source)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, 0, err
	}
	if !info.Mode().IsRegular() {
		return nil, 0, 0, fmt.Errorf("not a regular file (%s)", fileKind(info.Mode()))
	}
	if info.Size() > r.opt.MaxFileBytes {
		return nil, 0, 0, fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, info.Size(), r.opt.MaxFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, r.opt.MaxFileBytes+1))
	if err != nil {
		return nil, 0, 0, err
	}
	if int64(len(data)) > r.opt.MaxFileBytes {
		return nil, 0, 0, fmt.Errorf("%w: the file grew past %d bytes while read", errTooLarge, r.opt.MaxFileBytes)
	}
	return data, int64(len(data)), info.ModTime().UnixNano(), nil
}

// download fetches an image URL, trying the item's fallback URL (a IIIF
// image's full rendition) when the first cannot be had.
func (r *run) download(ctx context.Context, it Item) ([]byte, error) {
	data, _, err := download(ctx, r.opt.Remote, it.Source, r.opt.Remote.MaxImageBytes)
	if err == nil || it.Fallback == "" || ctx.Err() != nil {
		return data, err
	}
	data, _, ferr := download(ctx, r.opt.Remote, it.Fallback, r.opt.Remote.MaxImageBytes)
	if ferr != nil {
		return nil, fmt.Errorf("%w; fallback %s: %v", err, it.Fallback, ferr)
	}
	return data, nil
}

// embedStage runs the tensors through the model in batches: it takes what is
// waiting, up to BatchSize, so a slow model gets full batches and a fast one
// is never kept waiting for a batch to fill.
func (r *run) embedStage(ctx context.Context, in <-chan result, out chan<- result) {
	batch := make([]result, 0, r.opt.BatchSize)
	for first := range in {
		if ctx.Err() != nil {
			continue // cancelled: drain without running the model
		}
		if first.tensor == nil {
			if !send(ctx, out, first) {
				return
			}
			continue
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < r.opt.BatchSize {
			select {
			case next, ok := <-in:
				if !ok {
					break fill
				}
				if next.tensor == nil {
					if !send(ctx, out, next) {
						return
					}
					continue
				}
				batch = append(batch, next)
			default:
				break fill
			}
		}
		for _, res := range r.embedBatch(batch) {
			if !send(ctx, out, res) {
				return
			}
		}
	}
}

// embedBatch sets each result's vector. When the batch fails, each image is
// run alone so that one bad input fails only itself.
func (r *run) embedBatch(batch []result) []result {
	tensors := make([][]float32, len(batch))
	for i, res := range batch {
		tensors[i] = res.tensor
	}
	vecs, err := r.emb.Run(tensors)
	if err != nil && len(batch) > 1 {
		vecs = make([][]float32, len(batch))
		for i := range batch {
			one, err := r.emb.Run(tensors[i : i+1])
			if err != nil {
				batch[i].stage, batch[i].err = StageEmbed, err
				continue
			}
			vecs[i] = one[0]
		}
	} else if err != nil {
		batch[0].stage, batch[0].err = StageEmbed, err
		vecs = make([][]float32, 1)
	}
	for i := range batch {
		batch[i].tensor = nil
		batch[i].rec.Vector = vecs[i]
	}
	return batch
}

// writeStage stores results: failures as ingest_errors, touches as new
// modification times, images in PutImages batches.
func (r *run) writeStage(ctx context.Context, in <-chan result, prog *progress) error {
	w := &writer{run: r, prog: prog}
	ticker := time.NewTicker(r.opt.CommitInterval)
	defer ticker.Stop()
	for {
		select {
		case res, ok := <-in:
			if !ok {
				return w.flush(ctx)
			}
			if err := w.add(ctx, res); err != nil {
				return err
			}
		case <-ticker.C:
			if time.Since(w.firstPending) >= r.opt.CommitInterval {
				if err := w.flush(ctx); err != nil {
					return err
				}
			}
		case <-ctx.Done():
			// Store what is complete: each pending image is whole.
			if err := w.flush(context.WithoutCancel(ctx)); err != nil {
				return err
			}
			return context.Cause(ctx)
		}
	}
}

// writer accumulates the records of one catalog transaction.
type writer struct {
	*run
	prog         *progress
	pending      []result
	firstPending time.Time
}

func (w *writer) add(ctx context.Context, res result) error {
	switch {
	case res.err != nil:
		w.failed(ctx, res.job.item, res.stage, res.err)
	case res.touch:
		if err := w.touch(ctx, res); err != nil {
			return err
		}
	default:
		if len(w.pending) == 0 {
			w.firstPending = time.Now()
		}
		w.pending = append(w.pending, res)
		if len(w.pending) >= w.opt.CommitEvery {
			return w.flush(ctx)
		}
	}
	return nil
}

func (w *writer) failed(ctx context.Context, it Item, stage string, err error) {
	w.summary.fail(failureReason(stage, err))
	w.recordProblem(ctx, it.Source, stage, err.Error())
	w.prog.done.Add(1)
}

// touch records an unchanged image's new modification time (and metadata).
func (w *writer) touch(ctx context.Context, res result) error {
	k := res.job.known
	if err := w.cat.TouchImage(ctx, k.ID, res.rec.Image.ModTime); err != nil {
		return err
	}
	if err := w.updateMetadata(ctx, *k, res.job.meta); err != nil {
		return err
	}
	w.summary.Unchanged++
	w.prog.done.Add(1)
	return nil
}

// flush stores the pending images in one transaction. A record the catalog
// rejects is reported and the batch retried without it.
func (w *writer) flush(ctx context.Context) error {
	for len(w.pending) > 0 {
		recs := make([]catalog.ImageRecord, len(w.pending))
		for i, res := range w.pending {
			recs[i] = res.rec
		}
		err := w.cat.PutImages(ctx, w.model.ID, recs)
		var bad *catalog.ImageError
		if errors.As(err, &bad) {
			w.dropPending(ctx, bad)
			continue
		}
		if err != nil {
			return fmt.Errorf("storing images: %w", err)
		}
		for _, res := range w.pending {
			if res.job.known == nil {
				w.summary.Ingested++
			} else {
				w.summary.Updated++
			}
		}
		w.prog.done.Add(int64(len(w.pending)))
		w.pending = w.pending[:0]
	}
	return nil
}

func (w *writer) dropPending(ctx context.Context, bad *catalog.ImageError) {
	kept := w.pending[:0]
	for _, res := range w.pending {
		if res.rec.Image.Source == bad.Source {
			w.failed(ctx, res.job.item, StageStore, bad.Err)
			continue
		}
		kept = append(kept, res)
	}
	w.pending = kept
}

// failureReason groups failures for the summary: the stage and the kind of error.
func failureReason(stage string, err error) string {
	var status *httpStatusError
	kinds := []error{imagecodec.ErrNotImage, imagecodec.ErrUnsupported, imagecodec.ErrTooLarge,
		imagecodec.ErrCorrupt, errTooLarge, errTimedOut, fs.ErrNotExist, fs.ErrPermission, catalog.ErrInvalid}
	for _, kind := range kinds {
		if errors.Is(err, kind) {
			return stage + ": " + kind.Error()
		}
	}
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &status):
		return stage + ": " + status.Error()
	case errors.As(err, &timeout) && timeout.Timeout():
		return stage + ": " + errTimedOut.Error()
	}
	return stage + ": other error"
}
