// Command umapcatalog compares pixplot's UMAP (package plot/umap) with
// umap-learn on real image embeddings: the vectors of an ingested catalog
// (e.g. a few thousand openclipart images embedded with the default model),
// labelled by category. It is bench/umap's comparison on real embeddings
// instead of Fashion-MNIST, and uses the same umap-learn driver
// (bench/umap/umap_learn.py) with the same n_neighbors, min_dist and
// n_epochs.
//
//	go run ./bench/umapcatalog -db openclipart.db -epochs 200
//
// Both sides get the same matrix: the catalog's unit vectors (optionally
// PCA-reduced with -pca), under the Euclidean metric, which ranks unit
// vectors exactly as cosine does. Reported: each side's time and their
// ratio, trustworthiness@15 in the input space on an evenly spaced sample,
// and the leave-one-out 5-NN category accuracy in 2-D.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pixplot/pixplot/bench/internal/benchkit"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plot/pca"
	"github.com/pixplot/pixplot/plot/quality"
	"github.com/pixplot/pixplot/plot/umap"
)

type config struct {
	db, init, python, script string
	neighbours, epochs       int
	components, sample       int
	minDist                  float64
	seed                     uint64
}

func main() {
	var c config
	flag.StringVar(&c.db, "db", "", "an ingested catalog whose images have categories")
	flag.IntVar(&c.neighbours, "neighbors", 15, "n_neighbors")
	flag.Float64Var(&c.minDist, "min-dist", 0.1, "min_dist")
	flag.IntVar(&c.epochs, "epochs", 200, "n_epochs (the same for both)")
	flag.StringVar(&c.init, "init", "spectral", "initial layout: spectral or random")
	flag.IntVar(&c.components, "pca", 0, "reduce the vectors to this many principal components first (0: use them as stored)")
	flag.IntVar(&c.sample, "sample", 5000, "points in the trustworthiness sample")
	flag.Uint64Var(&c.seed, "seed", 42, "seed of the Go run")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Python with umap-learn (Debian umap-learn); empty to skip")
	flag.StringVar(&c.script, "script", "bench/umap/umap_learn.py", "the umap-learn driver")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/umapcatalog:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	data, dim, labels, categories, err := load(ctx, c.db, c.components)
	if err != nil {
		return err
	}
	n := len(labels)
	work, err := benchkit.WorkDir()
	if err != nil {
		return err
	}
	input := filepath.Join(work, "umapcatalog-input.f32")
	if err := writeFloats(input, data); err != nil {
		return err
	}
	fmt.Printf("input: %d × %d embeddings of %s (%d categories), n_neighbors %d, min_dist %g, n_epochs %d, init %s; load average %s\n",
		n, dim, c.db, categories, c.neighbours, c.minDist, c.epochs, c.init, benchkit.LoadAverage())

	benchkit.Result("images", float64(n))
	benchkit.Result("dims", float64(dim))
	start := time.Now()
	goLayout, err := umap.Embed(data, dim, umap.Options{
		NNeighbors: c.neighbours, MinDist: c.minDist, NEpochs: c.epochs, Init: umap.Init(c.init), Seed: c.seed,
	})
	if err != nil {
		return err
	}
	goSeconds := time.Since(start).Seconds()
	fmt.Printf("go:          %6.2fs\n", goSeconds)
	benchkit.Result("go_seconds", goSeconds)
	layouts := [][][2]float32{goLayout}
	names := []string{"go"}

	if c.python != "" {
		out := filepath.Join(work, "umapcatalog-umap-learn.f32")
		pySeconds, err := umapLearn(c, input, dim, out)
		if err != nil {
			return err
		}
		pyLayout, err := readLayout(out, n)
		if err != nil {
			return err
		}
		fmt.Printf("umap-learn:  %6.2fs  (fit only, after a warm-up fit)\n", pySeconds)
		fmt.Printf("time ratio go / umap-learn: %.2f\n", goSeconds/pySeconds)
		benchkit.Result("ref_seconds", pySeconds)
		benchkit.Result("time_ratio", goSeconds/pySeconds)
		layouts = append(layouts, pyLayout)
		names = append(names, "umap-learn")
	}

	sample := evenSample(n, c.sample)
	sampleData := make([]float32, 0, len(sample)*dim)
	for _, i := range sample {
		sampleData = append(sampleData, data[i*dim:(i+1)*dim]...)
	}
	fmt.Printf("%-11s %16s %16s\n", "", fmt.Sprintf("trust@15 (%d)", len(sample)), "5-NN accuracy")
	for k, layout := range layouts {
		sampleLayout := make([][2]float32, len(sample))
		for j, i := range sample {
			sampleLayout[j] = layout[i]
		}
		trust, err := quality.Trustworthiness(sampleData, dim, sampleLayout, 15, knn.Euclidean, 0)
		if err != nil {
			return err
		}
		accuracy, err := quality.KNNAccuracy(layout, labels, 5, 0)
		if err != nil {
			return err
		}
		fmt.Printf("%-11s %16.4f %16.4f\n", names[k]+":", trust, accuracy)
		prefix := map[string]string{"go": "go", "umap-learn": "ref"}[names[k]]
		benchkit.Result(prefix+"_trust", trust)
		benchkit.Result(prefix+"_knn_accuracy", accuracy)
	}
	return nil
}

// load reads the active model's vectors of every image with a category, in
// id order, and numbers the categories (labels) in sorted order.
func load(ctx context.Context, db string, components int) (data []float32, dim int, labels []int, categories int, err error) {
	cat, err := catalog.Open(db, catalog.Options{ReadOnly: true})
	if err != nil {
		return nil, 0, nil, 0, err
	}
	defer cat.Close()
	e, err := benchkit.LoadEmbeddings(ctx, cat, "category IS NOT NULL", true)
	if err != nil {
		return nil, 0, nil, 0, err
	}
	model, ids, vectors, names := e.Model, e.IDs, e.Vectors, e.Categories
	distinct := slices.Compact(slices.Sorted(slices.Values(names)))
	labels = make([]int, len(ids))
	for i, name := range names {
		labels[i], _ = slices.BinarySearch(distinct, name)
	}
	dim = model.Dims
	data = make([]float32, 0, len(ids)*dim)
	for _, v := range vectors {
		data = append(data, v...)
	}
	if components > 0 && components < dim {
		if data, _, err = pca.Reduce(data, dim, components, pca.Options{MaxFitRows: -1}); err != nil {
			return nil, 0, nil, 0, err
		}
		dim = components
	}
	return data, dim, labels, len(distinct), nil
}

// umapLearn runs the umap-learn driver and returns its fit time.
func umapLearn(c config, input string, dim int, out string) (float64, error) {
	cmd := exec.Command(c.python, c.script, input, strconv.Itoa(dim), out,
		strconv.Itoa(c.neighbours), strconv.FormatFloat(c.minDist, 'g', -1, 64), strconv.Itoa(c.epochs), c.init)
	cmd.Stderr = os.Stderr
	text, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("umap-learn (%s %s): %w", c.python, c.script, err)
	}
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, "fit_seconds "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("umap-learn printed no fit_seconds line:\n%s", text)
}

func evenSample(n, m int) []int {
	m = min(m, n)
	out := make([]int, m)
	for k := range out {
		out[k] = int(int64(k) * int64(n) / int64(m))
	}
	return out
}

func writeFloats(path string, values []float32) error {
	buf := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	return os.WriteFile(path, buf, 0o644)
}

func readLayout(path string, n int) ([][2]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) != 8*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d (n = %d)", path, len(raw), 8*n, n)
	}
	out := make([][2]float32, n)
	for i := range out {
		x := math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i:]))
		y := math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i+4:]))
		if math.IsNaN(float64(x)) || math.IsNaN(float64(y)) {
			return nil, fmt.Errorf("%s: point %d is NaN", path, i)
		}
		out[i] = [2]float32{x, y}
	}
	return out, nil
}
