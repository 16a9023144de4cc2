package embed_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/internal/imagetest"
	"github.com/pixplot/pixplot/modelstore"
	"golang.org/x/image/draw"
)

// open loads a built-in model from the shared cache (npm downloads happen once
// per machine). Without npm it skips, except under CI=true.
func open(t testing.TB, name string, opt embed.Options) *embed.Embedder {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", modelstore.ErrNoNPM)
		}
		t.Skip(modelstore.ErrNoNPM)
	}
	s := modelstore.Default(nil)
	ctx := context.Background()
	lib, err := s.Runtime(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Builtin(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	e, err := embed.Open(lib, m, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

var photoNames = []string{"chelsea", "coffee", "astronaut", "rocket", "camera", "grass", "brick", "retina", "horse"}

// photos decodes testdata's real pictures (see testdata/README.md).
func photos(t testing.TB) []image.Image {
	t.Helper()
	var imgs []image.Image
	for _, name := range photoNames {
		f, err := os.Open(filepath.Join("testdata", name+".jpg"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		imgs = append(imgs, img)
	}
	return imgs
}

// derivedCopy is what a collection holds as a near-duplicate: the picture
// cropped by 5% on two sides, shrunk to 60% and saved again as a JPEG.
func derivedCopy(t testing.TB, img image.Image) image.Image {
	t.Helper()
	b := img.Bounds()
	crop := image.Rect(b.Min.X+b.Dx()/20, b.Min.Y, b.Max.X, b.Max.Y-b.Dy()/20)
	small := image.NewRGBA(image.Rect(0, 0, crop.Dx()*3/5, crop.Dy()*3/5))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, crop, draw.Src, nil)
	out, err := jpeg.Decode(bytes.NewReader(imagetest.EncodeJPEG(t, small, 70)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestEmbed_ANearDuplicateFindsItsOriginalAsNearestNeighbour(t *testing.T) {
	imgs := photos(t)
	for _, model := range modelstore.Builtins() {
		t.Run(model, func(t *testing.T) {
			e := open(t, model, embed.Options{})
			originals, err := e.Embed(imgs)
			if err != nil {
				t.Fatal(err)
			}
			var copies []image.Image
			for _, img := range imgs {
				copies = append(copies, derivedCopy(t, img))
			}
			dups, err := e.Embed(copies)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range dups {
				best, bestCos, runnerUp := -1, -2.0, -2.0
				for j, o := range originals {
					c := cosine(d, o)
					if c > bestCos {
						best, bestCos, runnerUp = j, c, bestCos
					} else if c > runnerUp {
						runnerUp = c
					}
				}
				t.Logf("copy of %-9s -> %-9s cos %.3f (next %.3f)", photoNames[i], photoNames[best], bestCos, runnerUp)
				if best != i {
					t.Errorf("copy of %s is nearest to %s", photoNames[i], photoNames[best])
				}
			}
		})
	}
}

func TestEmbed_VectorsAreUnitLengthAndTheSameInAnyBatch(t *testing.T) {
	imgs := photos(t)
	one := open(t, "mobilenet_v2", embed.Options{BatchSize: 1, Threads: 1})
	many := open(t, "mobilenet_v2", embed.Options{BatchSize: 16})
	a, err := one.Embed(imgs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := many.Embed(imgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(imgs) || len(a[0]) != 96 || many.Model().Dims != 96 {
		t.Fatalf("%d vectors of %d values (dims %d)", len(a), len(a[0]), many.Model().Dims)
	}
	for i := range a {
		if n := cosine(a[i], a[i]); math.Abs(n-1) > 1e-5 {
			t.Errorf("%s: |v|² = %v", photoNames[i], n)
		}
		for k := range a[i] {
			if math.Abs(float64(a[i][k]-b[i][k])) > 1e-5 {
				t.Fatalf("%s: value %d is %v alone, %v in a batch", photoNames[i], k, a[i][k], b[i][k])
			}
		}
	}
}

func TestEmbed_TensorizeAndRunPipelineLikeEmbed(t *testing.T) {
	imgs := photos(t)[:3]
	e := open(t, "mobilenet_v2", embed.Options{})
	want, err := e.Embed(imgs)
	if err != nil {
		t.Fatal(err)
	}
	tensors := make([][]float32, len(imgs))
	done := make(chan int)
	for i := range imgs {
		go func() { tensors[i] = e.Tensorize(imgs[i]); done <- i }()
	}
	for range imgs {
		<-done
	}
	got, err := e.Run(tensors)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if c := cosine(want[i], got[i]); c < 1-1e-6 {
			t.Errorf("%s: cosine %v between Embed and Tensorize+Run", photoNames[i], c)
		}
	}
	if _, err := e.Run([][]float32{make([]float32, 10)}); err == nil || !strings.Contains(err.Error(), "224x224x3") {
		t.Errorf("wrong-sized tensor: %v", err)
	}
}

func TestInit_RefusesASecondRuntimeLibrary(t *testing.T) {
	open(t, "mobilenet_v2", embed.Options{}) // loads the cached runtime
	if err := embed.Init("/elsewhere/libonnxruntime.so.1"); err == nil || !strings.Contains(err.Error(), "already loaded") {
		t.Errorf("second library: %v", err)
	}
}

// Throughput of Run alone, BatchSize images per call, on a real photo:
//
//	go test ./embed -run XXX -bench . -benchtime 64x
func BenchmarkRun(b *testing.B) {
	for _, model := range modelstore.Builtins() {
		b.Run(model, func(b *testing.B) {
			e := open(b, model, embed.Options{BatchSize: 16})
			tensor := e.Tensorize(photos(b)[0])
			batch := make([][]float32, 16)
			for i := range batch {
				batch[i] = tensor
			}
			b.ResetTimer()
			start := time.Now()
			for done := 0; done < b.N; done += len(batch) {
				if _, err := e.Run(batch[:min(len(batch), b.N-done)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "img/s")
		})
	}
}

// Cost of Tensorize on a 12-megapixel JPEG-like image (decode not included).
func BenchmarkTensorize(b *testing.B) {
	e := open(b, "inception_v3", embed.Options{})
	big := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for i := range big.Y {
		big.Y[i] = uint8(i)
	}
	b.ResetTimer()
	for range b.N {
		e.Tensorize(big)
	}
}
