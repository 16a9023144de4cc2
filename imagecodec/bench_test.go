package imagecodec

import (
	"bytes"
	"image"
	"image/jpeg"
	"syscall"
	"testing"
	"time"

	"github.com/pixplot/pixplot/internal/imagetest"
)

// The ingest workload for one ~2 MP camera JPEG: decode, the three thumbnail
// tiers and a 299×299 model input. The stdlib row is the pure-Go path the
// cgo wrapper replaces.
func BenchmarkPhotoToThumbnailsAndModelInput(b *testing.B) {
	data := imagetest.EncodeJPEG(b, photo(1732, 1151), 90)
	b.Logf("input: 1732×1151 JPEG, q90, %d KB", len(data)/1024)
	decoders := []struct {
		name   string
		decode func() image.Image
	}{
		{"libjpeg-dct-scaled", func() image.Image { return mustDecodeB(b, data, Options{MinSide: 299}) }},
		{"libjpeg-full-size", func() image.Image { return mustDecodeB(b, data, Options{}) }},
		{"stdlib-image-jpeg", func() image.Image {
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			return img
		}},
	}
	for _, dec := range decoders {
		b.Run(dec.name+"/decode", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				dec.decode()
			}
		})
		b.Run(dec.name+"/decode+thumbnails+299", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				img := dec.decode()
				if _, err := Thumbnails(img); err != nil {
					b.Fatal(err)
				}
				Resize(img, 299, 299)
			}
		})
	}
}

func mustDecodeB(b *testing.B, data []byte, opt Options) *image.RGBA {
	d, err := Decode(data, opt)
	if err != nil {
		b.Fatal(err)
	}
	return d.Image
}

// reportCPU adds the process CPU time per operation to the benchmark result:
// on a shared machine it is steadier than wall time. Run with -cpu 1.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op") }
}

func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// Resize on its own: a DCT-scaled 2 MP photo (as Decode returns it for
// MinSide 299) to the model input size.
func BenchmarkResize(b *testing.B) {
	src := mustDecodeB(b, imagetest.EncodeJPEG(b, photo(1732, 1151), 90), Options{MinSide: 299})
	b.Run("866x576-to-299x299", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			Resize(src, 299, 299)
		}
	})
	b.Run("thumbnails", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := Thumbnails(src); err != nil {
				b.Fatal(err)
			}
		}
	})
}
