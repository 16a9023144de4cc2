// Command hdbscan benchmarks plot/hdbscan against R's dbscan::hdbscan on the
// same points: a UMAP-like 2-D mixture (Gaussian blobs of varied size and
// spread plus 5% uniform noise) written once as raw float32 and read by
// both. It prints each side's clustering time (R's excludes start-up and
// reading), their ratio and the adjusted Rand index between the labellings.
//
//	go run ./bench/hdbscan -n 10000,20000 -minpts 15
//
// Needs Rscript with the dbscan package (Debian: r-cran-dbscan). R builds a
// full distance matrix (8·n²/2 bytes), so keep n ≤ 20,000.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pixplot/pixplot/plot/hdbscan"
	"github.com/pixplot/pixplot/plot/quality"
)

func main() {
	sizes := flag.String("n", "10000,20000", "comma-separated numbers of points")
	minPts := flag.Int("minpts", 15, "R's minPts: MinClusterSize and MinSamples")
	script := flag.String("r", "bench/hdbscan/hdbscan.R", "the R side")
	seed := flag.Uint64("seed", 1, "seed of the generated points")
	flag.Parse()
	dir, err := os.MkdirTemp("", "hdbscan-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fmt.Printf("%8s %8s %8s %8s %10s %10s %8s\n", "n", "R s", "Go s", "R/Go", "R clusters", "Go clusters", "ARI")
	for _, field := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 2 {
			log.Fatalf("-n: %q is not a number of points", field)
		}
		if err := compare(dir, *script, n, *minPts, *seed); err != nil {
			log.Fatal(err)
		}
	}
}

func compare(dir, script string, n, minPts int, seed uint64) error {
	points := mixture(n, seed)
	input := filepath.Join(dir, fmt.Sprintf("points-%d.f32", n))
	if err := writeFloat32(input, points); err != nil {
		return err
	}
	labelsFile := filepath.Join(dir, fmt.Sprintf("labels-%d.txt", n))
	out, err := exec.Command("Rscript", script, input, strconv.Itoa(minPts), labelsFile).CombinedOutput()
	if err != nil {
		return fmt.Errorf("Rscript %s: %v\n%s", script, err, out)
	}
	var rSeconds float64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "seconds %g", &rSeconds); err != nil {
		return fmt.Errorf("Rscript %s printed %q, want \"seconds <t>\"", script, out)
	}
	rLabels, err := readLabels(labelsFile)
	if err != nil {
		return err
	}
	read, err := readFloat32(input)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := hdbscan.Cluster(read, 2, hdbscan.Options{MinClusterSize: minPts})
	if err != nil {
		return err
	}
	goSeconds := time.Since(start).Seconds()
	ari, err := quality.AdjustedRandIndex(rLabels, res.Labels)
	if err != nil {
		return err
	}
	rClusters := 0 // labels are -1 (noise), 0, 1, …
	for _, l := range rLabels {
		rClusters = max(rClusters, l+1)
	}
	fmt.Printf("%8d %8.3f %8.3f %8.1f %10d %10d %8.4f\n", n, rSeconds, goSeconds, rSeconds/goSeconds, rClusters, res.NumClusters(), ari)
	return nil
}

// mixture draws 30 Gaussian blobs of random weight, spread and elongation
// in [-10, 10]², and 5% uniform noise: roughly what UMAP makes of image
// embeddings.
func mixture(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	const blobs = 30
	type blob struct{ x, y, sx, sy, weight float64 }
	bs := make([]blob, blobs)
	total := 0.0
	for i := range bs {
		bs[i] = blob{
			x: 20*rng.Float64() - 10, y: 20*rng.Float64() - 10,
			sx: 0.2 + 0.6*rng.Float64(), sy: 0.2 + 0.6*rng.Float64(),
			weight: 0.2 + rng.Float64(),
		}
		total += bs[i].weight
	}
	points := make([]float32, 0, 2*n)
	for range n {
		if rng.Float64() < 0.05 {
			points = append(points, float32(24*rng.Float64()-12), float32(24*rng.Float64()-12))
			continue
		}
		pick := rng.Float64() * total
		b := bs[0]
		for _, c := range bs {
			if pick < c.weight {
				b = c
				break
			}
			pick -= c.weight
		}
		points = append(points, float32(b.x+b.sx*rng.NormFloat64()), float32(b.y+b.sy*rng.NormFloat64()))
	}
	return points
}

func writeFloat32(path string, v []float32) error {
	buf := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
	}
	return os.WriteFile(path, buf, 0o644)
}

func readFloat32(path string) ([]float32, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(buf)%8 != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of float32 (x, y) pairs", path, len(buf))
	}
	v := make([]float32, len(buf)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	return v, nil
}

// readLabels reads R's labels (0 = noise) as hdbscan labels (-1 = noise).
func readLabels(path string) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var labels []int
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		l, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, line, err)
		}
		labels = append(labels, l-1)
	}
	return labels, sc.Err()
}
