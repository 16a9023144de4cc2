// Command umap compares pixplot's UMAP (package plot/umap) with umap-learn
// on the same input: Fashion-MNIST (Debian package dataset-fashion-mnist)
// reduced to 50 dimensions by PCA. It writes the input as raw little-endian
// float32 (and int32 labels) to the cache, runs both implementations with the
// same n_neighbors, min_dist and n_epochs, and prints their times, the time
// ratio, trustworthiness@15 on an evenly spaced 5,000-point sample (in the
// 50-d input space) and the leave-one-out 5-NN label accuracy in 2-D.
//
//	go run ./bench/umap -n 10000 -epochs 200
//
// umap-learn runs with /usr/bin/python3 (Debian package umap-learn) and
// bench/umap/umap_learn.py; it gets a small warm-up fit first so that its
// time excludes numba compilation. Pass -python "" to skip it.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plot/pca"
	"github.com/pixplot/pixplot/plot/quality"
	"github.com/pixplot/pixplot/plot/umap"
	"github.com/pixplot/pixplot/registry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/umap:", err)
		os.Exit(1)
	}
}

type config struct {
	n, components, neighbours, epochs, sample int
	minDist                                   float64
	init, python, script, fashion, cache      string
	seed                                      uint64
	threads                                   int
}

func run() error {
	var c config
	flag.IntVar(&c.n, "n", 10000, "points (first n of the 70,000 Fashion-MNIST images)")
	flag.IntVar(&c.components, "pca", 50, "PCA dimensions of the input")
	flag.IntVar(&c.neighbours, "neighbors", 15, "n_neighbors")
	flag.IntVar(&c.epochs, "epochs", 200, "n_epochs (the same for both)")
	flag.Float64Var(&c.minDist, "min-dist", 0.1, "min_dist")
	flag.StringVar(&c.init, "init", "spectral", "initial layout: spectral, pca (Go only) or random")
	flag.IntVar(&c.sample, "sample", 5000, "points in the trustworthiness sample")
	flag.Uint64Var(&c.seed, "seed", 42, "seed of the Go run")
	flag.IntVar(&c.threads, "threads", 0, "goroutines for the Go run (0: GOMAXPROCS)")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Python with umap-learn; empty to skip")
	flag.StringVar(&c.script, "script", "bench/umap/umap_learn.py", "the umap-learn driver")
	flag.StringVar(&c.fashion, "fashion", "/usr/share/datasets/fashion-mnist", "Fashion-MNIST idx files")
	flag.StringVar(&c.cache, "cache", "", "work folder (default $PIXPLOT_CACHE or ~/.cache/pixplot, then bench-umap)")
	flag.Parse()
	if c.cache == "" {
		c.cache = filepath.Join(registry.CacheDir(), "bench-umap")
	}
	if err := os.MkdirAll(c.cache, 0o755); err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage())

	data, labels, dataPath, labelPath, err := prepare(c)
	if err != nil {
		return err
	}
	fmt.Printf("input: %d × %d (Fashion-MNIST, PCA-%d), n_neighbors %d, min_dist %g, n_epochs %d, init %s\n",
		c.n, c.components, c.components, c.neighbours, c.minDist, c.epochs, c.init)

	var stages []string
	stageStart := time.Now()
	last := ""
	start := time.Now()
	goLayout, err := umap.Embed(data, c.components, umap.Options{
		NNeighbors: c.neighbours, MinDist: c.minDist, NEpochs: c.epochs,
		Init: umap.Init(c.init), Seed: c.seed, Threads: c.threads,
		Progress: func(stage string, done, total int) {
			if stage != last {
				if last != "" {
					stages = append(stages, fmt.Sprintf("%s %.2fs", last, time.Since(stageStart).Seconds()))
				}
				last, stageStart = stage, time.Now()
			}
		},
	})
	if err != nil {
		return err
	}
	goTime := time.Since(start)
	stages = append(stages, fmt.Sprintf("%s %.2fs", last, time.Since(stageStart).Seconds()))
	fmt.Printf("go:          %6.2fs  (%s)\n", goTime.Seconds(), strings.Join(stages, ", "))
	if err := writeLayout(filepath.Join(c.cache, fmt.Sprintf("go-%d.f32", c.n)), goLayout); err != nil {
		return err
	}
	layouts := map[string][][2]float32{"go": goLayout}
	names := []string{"go"}

	var pyTime float64
	if c.python != "" {
		out := filepath.Join(c.cache, fmt.Sprintf("umap-learn-%d.f32", c.n))
		pyInit := c.init
		if pyInit == "pca" {
			pyInit = "spectral" // umap-learn 0.5.3 has no "pca" init
		}
		cmd := exec.Command(c.python, c.script, dataPath, strconv.Itoa(c.components), out,
			strconv.Itoa(c.neighbours), strconv.FormatFloat(c.minDist, 'g', -1, 64), strconv.Itoa(c.epochs), pyInit)
		cmd.Stderr = os.Stderr
		text, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("umap-learn: %w", err)
		}
		for _, line := range strings.Split(string(text), "\n") {
			if v, ok := strings.CutPrefix(line, "fit_seconds "); ok {
				pyTime, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
		fmt.Printf("umap-learn:  %6.2fs  (fit only, after a warm-up fit; numba threads: all)\n", pyTime)
		if pyTime > 0 {
			fmt.Printf("time ratio go / umap-learn: %.2f\n", goTime.Seconds()/pyTime)
		}
		pyLayout, err := readLayout(out, c.n)
		if err != nil {
			return err
		}
		layouts["umap-learn"] = pyLayout
		names = append(names, "umap-learn")
	}
	_ = labelPath

	sample := evenSample(c.n, c.sample)
	sampleData := make([]float32, 0, len(sample)*c.components)
	for _, i := range sample {
		sampleData = append(sampleData, data[i*c.components:(i+1)*c.components]...)
	}
	fmt.Printf("%-11s %16s %16s\n", "", "trust@15 (5k)", "5-NN accuracy")
	for _, name := range names {
		layout := layouts[name]
		sampleLayout := make([][2]float32, len(sample))
		for k, i := range sample {
			sampleLayout[k] = layout[i]
		}
		trust, err := quality.Trustworthiness(sampleData, c.components, sampleLayout, 15, knn.Euclidean, 0)
		if err != nil {
			return err
		}
		acc, err := quality.KNNAccuracy(layout, labels, 5, 0)
		if err != nil {
			return err
		}
		fmt.Printf("%-11s %16.4f %16.4f\n", name+":", trust, acc)
	}
	return nil
}

func evenSample(n, m int) []int {
	m = min(m, n)
	out := make([]int, m)
	for k := range out {
		out[k] = int(int64(k) * int64(n) / int64(m))
	}
	return out
}

// prepare loads the first n Fashion-MNIST images (train then test) as
// pixels/255, reduces them by PCA, and caches the result as raw files.
func prepare(c config) (data []float32, labels []int, dataPath, labelPath string, err error) {
	dataPath = filepath.Join(c.cache, fmt.Sprintf("fashion-%d-pca%d.f32", c.n, c.components))
	labelPath = filepath.Join(c.cache, fmt.Sprintf("fashion-%d.labels.i32", c.n))
	if d, err1 := readFloats(dataPath); err1 == nil && len(d) == c.n*c.components {
		if l, err2 := readInts(labelPath); err2 == nil && len(l) == c.n {
			return d, l, dataPath, labelPath, nil
		}
	}
	var pixels []float32
	for _, part := range []string{"train", "t10k"} {
		imgs, lab, err := readIDX(filepath.Join(c.fashion, part+"-images-idx3-ubyte.gz"), filepath.Join(c.fashion, part+"-labels-idx1-ubyte.gz"))
		if err != nil {
			return nil, nil, "", "", fmt.Errorf("%w (install the Debian package dataset-fashion-mnist)", err)
		}
		pixels = append(pixels, imgs...)
		labels = append(labels, lab...)
	}
	if c.n > len(labels) {
		return nil, nil, "", "", fmt.Errorf("-n %d: Fashion-MNIST has %d images", c.n, len(labels))
	}
	pixels, labels = pixels[:c.n*784], labels[:c.n]
	data, _, err = pca.Reduce(pixels, 784, c.components, pca.Options{MaxFitRows: -1})
	if err != nil {
		return nil, nil, "", "", err
	}
	if err := writeFloats(dataPath, data); err != nil {
		return nil, nil, "", "", err
	}
	ints := make([]int32, len(labels))
	for i, l := range labels {
		ints[i] = int32(l)
	}
	if err := writeRaw(labelPath, ints); err != nil {
		return nil, nil, "", "", err
	}
	return data, labels, dataPath, labelPath, nil
}

// readIDX reads an idx3 image file and its idx1 label file.
func readIDX(imagePath, labelPath string) ([]float32, []int, error) {
	img, err := readGzip(imagePath)
	if err != nil {
		return nil, nil, err
	}
	lab, err := readGzip(labelPath)
	if err != nil {
		return nil, nil, err
	}
	if len(img) < 16 || binary.BigEndian.Uint32(img) != 0x803 || len(lab) < 8 || binary.BigEndian.Uint32(lab) != 0x801 {
		return nil, nil, fmt.Errorf("%s or %s: not an idx image/label file", imagePath, labelPath)
	}
	count := int(binary.BigEndian.Uint32(img[4:]))
	rows, cols := int(binary.BigEndian.Uint32(img[8:])), int(binary.BigEndian.Uint32(img[12:]))
	if rows*cols != 784 || len(img) != 16+count*784 || len(lab) != 8+count {
		return nil, nil, fmt.Errorf("%s: unexpected size", imagePath)
	}
	pixels := make([]float32, count*784)
	for i, b := range img[16:] {
		pixels[i] = float32(b) / 255
	}
	labels := make([]int, count)
	for i, b := range lab[8:] {
		labels[i] = int(b)
	}
	return pixels, labels, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(z)
}

func writeRaw(path string, values any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := binary.Write(w, binary.LittleEndian, values); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeFloats(path string, values []float32) error { return writeRaw(path, values) }

func writeLayout(path string, layout [][2]float32) error {
	flat := make([]float32, 0, 2*len(layout))
	for _, p := range layout {
		flat = append(flat, p[0], p[1])
	}
	return writeFloats(path, flat)
}

func readFloats(path string) ([]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw)%4 != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of float32", path, len(raw))
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out, nil
}

func readInts(path string) ([]int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(raw)/4)
	for i := range out {
		out[i] = int(int32(binary.LittleEndian.Uint32(raw[4*i:])))
	}
	return out, nil
}

func readLayout(path string, n int) ([][2]float32, error) {
	flat, err := readFloats(path)
	if err != nil {
		return nil, err
	}
	if len(flat) != 2*n {
		return nil, fmt.Errorf("%s: %d values, want %d", path, len(flat), 2*n)
	}
	out := make([][2]float32, n)
	for i := range out {
		out[i] = [2]float32{flat[2*i], flat[2*i+1]}
	}
	for i, p := range out {
		if math.IsNaN(float64(p[0])) || math.IsNaN(float64(p[1])) {
			return nil, fmt.Errorf("%s: point %d is NaN", path, i)
		}
	}
	return out, nil
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "unknown"
		}
		return err.Error()
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}
