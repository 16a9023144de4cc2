// Command ingest compares pixplot's ingest rate with the model alone: raw
// ONNX Runtime throughput on the same images' tensors, with the same
// embedder (model, batch size, threads). Ingest has to read, hash, decode,
// make thumbnails and tensors, and write the catalog around inference; when
// those overlap inference well, ingest runs at nearly the model-only rate.
//
//	go run ./bench/ingest -images DIR -metadata DIR/metadata.csv
//
// The images are decoded and tensorised once up front. Then the raw loop
// (Embedder.Run over batches of the tensors) runs, then a whole ingest into a
// new catalog in a temporary folder, then the raw loop again, -rounds times
// over: each ingest is compared with the raw loops just before and after it,
// so a machine that gets busier or quieter during the run shifts both sides
// alike, and the ratio reported is the median over the rounds. Also
// reported: the fraction of the ingests' wall time the model was busy.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/bench/internal/benchkit"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/ingest"
	"github.com/pixplot/pixplot/modelstore"
)

func main() {
	images := flag.String("images", "", "folder of images (e.g. from `pixplot sample openclipart --limit 300`)")
	metadata := flag.String("metadata", "", "metadata file ingested with them (optional)")
	model := flag.String("model", modelstore.DefaultModel, "built-in model")
	batch := flag.Int("batch", embed.DefaultBatchSize, "images per model run (ingest's --batch)")
	rounds := flag.Int("rounds", 1, "ingests, each between two raw loops")
	flag.Parse()
	if *images == "" {
		fmt.Fprintln(os.Stderr, "bench/ingest: -images is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *images, *metadata, *model, *batch, max(1, *rounds)); err != nil {
		fmt.Fprintln(os.Stderr, "bench/ingest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, images, metadata, modelName string, batch, rounds int) error {
	store := modelstore.Default(os.Stderr)
	model, err := store.Resolve(ctx, modelName, modelstore.Custom{})
	if err != nil {
		return err
	}
	emb, err := store.Open(ctx, model, embed.Options{BatchSize: batch})
	if err != nil {
		return err
	}
	defer emb.Close()

	tensors, err := tensorize(ctx, emb, images)
	if err != nil {
		return err
	}
	n := len(tensors)
	fmt.Printf("%d images from %s, model %s, batch %d, %d round(s), load average %s\n", n, images, modelName, batch, rounds, benchkit.LoadAverage())
	if _, err := emb.Run(tensors[:min(batch, n)]); err != nil { // warm-up: first-run allocations
		return err
	}

	previous, err := rawLoop(emb, tensors, batch)
	if err != nil {
		return err
	}
	var ingestRates, modelRates, ratios []float64
	var busy, walls time.Duration
	for round := 1; round <= rounds; round++ {
		timed := &timedEmbedder{Embedder: emb}
		summary, wall, err := ingestOnce(ctx, timed, images, metadata, batch)
		if err != nil {
			return err
		}
		after, err := rawLoop(emb, tensors, batch)
		if err != nil {
			return err
		}
		modelRate := float64(2*n) / (previous + after).Seconds()
		ingestRate := float64(summary.Ingested) / wall.Seconds()
		fmt.Printf("round %d: model only %6.2f images/s (raw loops %.1fs before, %.1fs after); ingest %6.2f images/s (%d images in %.1fs, model busy %.2f of it); ratio %.2f\n",
			round, modelRate, previous.Seconds(), after.Seconds(), ingestRate, summary.Ingested, wall.Seconds(), timed.busy().Seconds()/wall.Seconds(), ingestRate/modelRate)
		ingestRates, modelRates = append(ingestRates, ingestRate), append(modelRates, modelRate)
		ratios = append(ratios, ingestRate/modelRate)
		busy += timed.busy()
		walls += wall
		previous = after
	}
	ratio := median(ratios)
	fmt.Printf("model only:  %6.2f images/s (mean)\n", mean(modelRates))
	fmt.Printf("ingest:      %6.2f images/s (mean); model busy %.2f of the ingests' wall time\n", mean(ingestRates), busy.Seconds()/walls.Seconds())
	fmt.Printf("ratio ingest / model only: %.2f (median of %d)\n", ratio, len(ratios))
	benchkit.Result("images", float64(n))
	benchkit.Result("ingest_rate", mean(ingestRates))
	benchkit.Result("model_rate", mean(modelRates))
	benchkit.Result("ratio", ratio)
	benchkit.Result("model_busy", busy.Seconds()/walls.Seconds())
	return nil
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// tensorize decodes every image the spec names (as ingest does: reduced to
// at least the model's input and preview size) and makes its model tensor.
func tensorize(ctx context.Context, emb *embed.Embedder, spec string) ([][]float32, error) {
	disc, err := ingest.Discover(ctx, spec, ingest.RemoteOptions{})
	if err != nil {
		return nil, err
	}
	if len(disc.Items) == 0 {
		return nil, fmt.Errorf("%s: no images", spec)
	}
	minSide := max(emb.Model().Preprocess.Size, pixplot.PreviewSide)
	var tensors [][]float32
	for _, it := range disc.Items {
		data, err := os.ReadFile(it.Source)
		if err != nil {
			return nil, err
		}
		img, err := imagecodec.Decode(data, imagecodec.Options{MinSide: minSide})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Source, err)
		}
		tensors = append(tensors, emb.Tensorize(img.Image))
	}
	return tensors, nil
}

// rawLoop runs the model over all tensors in batches and returns the time.
func rawLoop(emb *embed.Embedder, tensors [][]float32, batch int) (time.Duration, error) {
	start := time.Now()
	for i := 0; i < len(tensors); i += batch {
		if _, err := emb.Run(tensors[i:min(i+batch, len(tensors))]); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// ingestOnce ingests the images into a new catalog, as `pixplot ingest` does.
func ingestOnce(ctx context.Context, emb ingest.Embedder, images, metadata string, batch int) (ingest.Summary, time.Duration, error) {
	dir, err := os.MkdirTemp("", "bench-ingest")
	if err != nil {
		return ingest.Summary{}, 0, err
	}
	defer os.RemoveAll(dir)
	cat, err := catalog.Open(filepath.Join(dir, "ingest.db"), catalog.Options{})
	if err != nil {
		return ingest.Summary{}, 0, err
	}
	defer cat.Close()
	start := time.Now()
	s, err := ingest.Run(ctx, cat, emb, ingest.Options{Images: images, Metadata: metadata, BatchSize: batch})
	wall := time.Since(start)
	if err != nil {
		return s, wall, err
	}
	if s.Ingested == 0 || s.Failed > 0 {
		return s, wall, fmt.Errorf("ingest stored %d images, %d failed:\n%s", s.Ingested, s.Failed, s.Text())
	}
	return s, wall, nil
}

// timedEmbedder adds up the time spent inside the model's Run.
type timedEmbedder struct {
	*embed.Embedder
	mu    sync.Mutex
	total time.Duration
}

func (e *timedEmbedder) Run(tensors [][]float32) ([][]float32, error) {
	start := time.Now()
	defer func() {
		e.mu.Lock()
		e.total += time.Since(start)
		e.mu.Unlock()
	}()
	return e.Embedder.Run(tensors)
}

func (e *timedEmbedder) busy() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.total
}
