package viewer

import (
	"encoding/json"
	"fmt"
	"image"
	"io/fs"
	"math"
	"testing"
	"time"
)

// addGeographic gives the fake's first plot a geographic layout in the
// fixed frame (x = lng/180, y = lat/180): half the images in North America,
// half in East Asia, so Africa and the Pacific stay clear of images.
func addGeographic(f *fakeServer) {
	p := f.plots[0]
	pos := make([]float32, 2*len(p.Images))
	for i := range p.Images {
		lng, lat := -120+float64(i%10)*4, 30+float64(i/10%5)*4
		if i%2 == 1 {
			lng, lat = 100+float64(i%10)*3, 25+float64(i/10%5)*4
		}
		pos[2*i], pos[2*i+1] = float32(lng/180), float32(lat/180)
	}
	p.Layouts["geographic"] = pos
}

// landColored is the share of sampled pixels below the header in the base
// map's land colour, #333.
func landColored(img image.Image, top int) float64 {
	b := img.Bounds()
	hit, all := 0, 0
	for y := b.Min.Y + top; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			all++
			if isGray(img, x, y, 0x33, 3) {
				hit++
			}
		}
	}
	return float64(hit) / float64(all)
}

func isGray(img image.Image, x, y int, level, tol uint32) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return absDiff(r>>8, level) <= tol && absDiff(g>>8, level) <= tol && absDiff(b>>8, level) <= tol
}

func TestViewer_GeographicLayoutDrawsLandUnderImages(t *testing.T) {
	f := newFakeServer(t, 200)
	addGeographic(f)
	p := open(t, f.handler(), "/#layout=geographic&cam=0,0,1", desktop)
	p.waitFor(`__viewer.baseMap.loaded && __viewer.baseMap.opacity === 1 && !__viewer.moving`, 10*time.Second)
	at := func(lng, lat float64) (int, int) {
		xy := eval[[]float64](p, fmt.Sprintf(`__viewer.toScreen(%g, %g)`, lng/180, lat/180))
		return int(math.Round(xy[0])), int(math.Round(xy[1]))
	}
	img := p.screenshot("geographic")
	if x, y := at(20, 5); !isGray(img, x, y, 0x33, 3) {
		t.Errorf("Africa's centre (lng 20, lat 5) at (%d,%d) is %v, want the land colour #333", x, y, img.At(x, y))
	}
	if x, y := at(-150, 0); !isGray(img, x, y, 0x11, 3) {
		t.Errorf("the mid-Pacific (lng -150, lat 0) at (%d,%d) is %v, want the background #111", x, y, img.At(x, y))
	}
	if share := landColored(img, 60); share < 0.05 {
		t.Errorf("only %.1f%% of the view is land", 100*share)
	}
	// close up, the Caspian Sea (a hole in the land ring around it) is water
	eval[any](p, `location.hash = '#plot=default&layout=geographic&cam=0.2833,0.2333,8'`)
	p.waitFor(`__viewer.cam.zoom === 8`, 5*time.Second)
	afterFrames[bool](p, 2, "true")
	img = p.screenshot("geographic-caspian")
	if x, y := at(51, 41); !isGray(img, x, y, 0x11, 3) {
		t.Errorf("the Caspian Sea (lng 51, lat 41) at (%d,%d) is %v, want the background", x, y, img.At(x, y))
	}
	if x, y := at(44, 41); !isGray(img, x, y, 0x33, 3) {
		t.Errorf("Georgia (lng 44, lat 41) at (%d,%d) is %v, want land", x, y, img.At(x, y))
	}

	p.key("1") // umap
	p.settle()
	p.waitFor(`__viewer.layout === 'umap' && __viewer.baseMap.opacity === 0`, 5*time.Second)
	if share := landColored(p.screenshot("umap-no-land"), 60); share > 0.01 {
		t.Errorf("the umap layout shows %.1f%% land-coloured pixels, want no base map", 100*share)
	}
	p.noConsoleErrors()
}

// The committed base map lies in the geographic layout's frame.
func TestFS_LandMapIsInGeographicFrame(t *testing.T) {
	b, err := fs.ReadFile(FS(), "data/land.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Source string         `json:"source"`
		Rings  [][][2]float64 `json:"rings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("data/land.json: %v", err)
	}
	points := 0
	for k, ring := range doc.Rings {
		if len(ring) < 3 {
			t.Errorf("ring %d has %d points", k, len(ring))
		}
		for _, p := range ring {
			if math.Abs(p[0]) > 1 || math.Abs(p[1]) > 0.5 {
				t.Fatalf("ring %d: point %v outside x ∈ [-1, 1], y ∈ [-0.5, 0.5]", k, p)
			}
		}
		points += len(ring)
	}
	if len(doc.Rings) < 100 || points < 4000 {
		t.Errorf("%d rings with %d points; want Natural Earth's 110m land (over 100 rings, 4,000 points)", len(doc.Rings), points)
	}
}
