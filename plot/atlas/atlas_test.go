package atlas

import (
	"bytes"
	"context"
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/internal/testkit"
)

func TestFit_KeepsTheAspectAndCapsVeryWideImagesLikeStoredThumbnails(t *testing.T) {
	cases := []struct{ w, h, height, cw, ch int }{
		{640, 480, 32, 43, 32},
		{480, 640, 32, 24, 32},
		{100, 100, 128, 128, 128},
		{10000, 100, 32, 256, 3}, // wider than 8:1: fitted in a 256×32 box
		{100000, 10, 32, 256, 1}, // at least one pixel
		{1, 1000, 32, 1, 32},     // at least one pixel
		{3000, 2000, 24, 36, 24},
	}
	for _, c := range cases {
		if cw, ch := Fit(c.w, c.h, c.height); cw != c.cw || ch != c.ch {
			t.Errorf("Fit(%d, %d, %d) = %d×%d, want %d×%d", c.w, c.h, c.height, cw, ch, c.cw, c.ch)
		}
	}
	// The stored cell and lod thumbnails have exactly the size of their tier's cells.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		w, h := 1+r.IntN(5000), 1+r.IntN(5000)
		for _, tier := range []struct {
			size   string
			height int
		}{{pixplot.ThumbCell, pixplot.CellHeight}, {pixplot.ThumbLOD, pixplot.LODHeight}} {
			tw, th := imagecodec.ThumbnailSize(tier.size, w, h)
			if cw, ch := Fit(w, h, tier.height); cw != tw || ch != th {
				t.Fatalf("%d×%d: Fit = %d×%d, stored %s thumbnail %d×%d", w, h, cw, ch, tier.size, tw, th)
			}
		}
	}
}

func randomSizes(n int, seed uint64) [][2]int {
	r := rand.New(rand.NewPCG(seed, 3))
	sizes := make([][2]int, n)
	for i := range sizes {
		sizes[i] = [2]int{50 + r.IntN(3000), 50 + r.IntN(1500)}
		if i%97 == 0 {
			sizes[i] = [2]int{5000, 100} // wider than 8:1
		}
	}
	return sizes
}

// checkPacking fails unless every cell has its Fit size, lies inside its
// sheet's recorded size, keeps a gutter from every other cell of its sheet,
// and sheets hold contiguous runs of the order.
func checkPacking(t *testing.T, p *Packing, sizes [][2]int) {
	t.Helper()
	bySheet := make([][]int, p.Sheets())
	for i, c := range p.Cells {
		if cw, ch := Fit(sizes[i][0], sizes[i][1], p.Height); c.W != cw || c.H != ch {
			t.Fatalf("image %d: cell %d×%d, want %d×%d", i, c.W, c.H, cw, ch)
		}
		if c.Atlas < 0 || c.Atlas >= p.Sheets() {
			t.Fatalf("image %d on sheet %d of %d", i, c.Atlas, p.Sheets())
		}
		size := p.Sizes[c.Atlas]
		if c.X < 0 || c.Y < 0 || c.X+c.W > size[0] || c.Y+c.H > size[1] {
			t.Fatalf("image %d: cell %+v leaves its %d×%d sheet", i, c, size[0], size[1])
		}
		bySheet[c.Atlas] = append(bySheet[c.Atlas], i)
	}
	for s, ids := range bySheet {
		if len(ids) == 0 {
			t.Fatalf("sheet %d is empty", s)
		}
		if sz := p.Sizes[s]; sz[0] != p.Side || sz[1] > p.Side || sz[1]&(sz[1]-1) != 0 {
			t.Fatalf("sheet %d is %d×%d (want %d wide, a power of two up to that tall)", s, sz[0], sz[1], p.Side)
		}
		for a, i := range ids {
			for _, j := range ids[a+1:] {
				ci, cj := p.Cells[i], p.Cells[j]
				apart := ci.X+ci.W+Gutter <= cj.X || cj.X+cj.W+Gutter <= ci.X ||
					ci.Y+ci.H+Gutter <= cj.Y || cj.Y+cj.H+Gutter <= ci.Y
				if !apart {
					t.Fatalf("sheet %d: cells of images %d %+v and %d %+v overlap or touch", s, i, ci, j, cj)
				}
			}
		}
	}
	last := -1
	for _, i := range p.Order {
		if a := p.Cells[i].Atlas; a != last && a != last+1 {
			t.Fatalf("sheet %d follows sheet %d in packing order", a, last)
		} else {
			last = a
		}
	}
}

func TestPack_CellsDoNotOverlapAndStayInsideTheirSheets(t *testing.T) {
	sizes := randomSizes(3000, 1)
	order := rand.New(rand.NewPCG(5, 5)).Perm(len(sizes))
	for _, tier := range [][2]int{{32, 256}, {24, 512}, {128, 2048}} {
		p, err := Pack(sizes, order, tier[0], tier[1])
		if err != nil {
			t.Fatal(err)
		}
		checkPacking(t, p, sizes)
		if p.Sheets() < 2 {
			t.Fatalf("tier %v: %d sheets, want several", tier, p.Sheets())
		}
		if !slices.Equal(p.Order, order) {
			t.Fatal("Order is not the order given")
		}
		// Packed in order: along the order, positions only move on.
		for k := 1; k < len(order); k++ {
			a, b := p.Cells[order[k-1]], p.Cells[order[k]]
			if b.Atlas == a.Atlas && (b.Y < a.Y || b.Y == a.Y && b.X <= a.X) {
				t.Fatalf("image %d %+v comes after %d %+v in the order but sits before it", order[k], b, order[k-1], a)
			}
		}
	}
}

func TestPack_FillsFullSheetsAndCutsTheLastToItsUsedHeight(t *testing.T) {
	// Square images at height 32 on 256-px sheets: 7 per row ((32+1)·7 ≤ 256),
	// 7 rows (33·7+32 ≤ 256 < 33·8+32): 49 per sheet.
	sizes := make([][2]int, 100)
	for i := range sizes {
		sizes[i] = [2]int{64, 64}
	}
	p, err := Pack(sizes, nil, 32, 256)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sheets() != 3 || p.Cells[48].Atlas != 0 || p.Cells[49].Atlas != 1 || p.Cells[98].Atlas != 2 {
		t.Fatalf("%d sheets, image 48 on %d, 49 on %d; want 49 per sheet", p.Sheets(), p.Cells[48].Atlas, p.Cells[49].Atlas)
	}
	want := [][2]int{{256, 256}, {256, 256}, {256, 32}} // 2 images: one row, 32 px tall
	if !slices.Equal(p.Sizes, want) {
		t.Fatalf("sheet sizes %v, want %v", p.Sizes, want)
	}
	if c := p.Cells[1]; c.X != 33 || c.Y != 0 {
		t.Fatalf("second cell at %d,%d, want 33,0 (one gutter pixel)", c.X, c.Y)
	}
	if c := p.Cells[7]; c.X != 0 || c.Y != 33 {
		t.Fatalf("eighth cell at %d,%d, want the second row at 0,33", c.X, c.Y)
	}
}

func TestPack_DegenerateInputs(t *testing.T) {
	p, err := Pack(nil, nil, 32, 2048)
	if err != nil || p.Sheets() != 0 || len(p.Cells) != 0 {
		t.Fatalf("no images: %v, %d sheets", err, p.Sheets())
	}
	p, err = Pack([][2]int{{10, 20}}, nil, 32, 2048)
	if err != nil || p.Sheets() != 1 || p.Sizes[0] != [2]int{2048, 32} {
		t.Fatalf("one image: %v, sizes %v", err, p.Sizes)
	}
}

func TestPack_RefusesBadInput(t *testing.T) {
	sizes := [][2]int{{10, 10}, {10, 10}}
	cases := []struct {
		name         string
		sizes        [][2]int
		order        []int
		height, side int
	}{
		{"side not a power of two", sizes, nil, 32, 2000},
		{"side too small", sizes, nil, 16, 128},
		{"height too large for the side", sizes, nil, 512, 2048},
		{"zero height", sizes, nil, 0, 2048},
		{"order too short", sizes, []int{0}, 32, 2048},
		{"order repeats", sizes, []int{1, 1}, 32, 2048},
		{"empty image", [][2]int{{0, 10}}, nil, 32, 2048},
	}
	for _, c := range cases {
		if _, err := Pack(c.sizes, c.order, c.height, c.side); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func TestHilbertIndex_VisitsNeighbouringCellsInTurn(t *testing.T) {
	// The first 4^6 steps of the curve fill the 64×64 corner, one cell per
	// step, each next to the one before.
	const side = 64
	at := make(map[uint64][2]uint32, side*side)
	for x := range uint32(side) {
		for y := range uint32(side) {
			at[hilbertIndex(x, y)] = [2]uint32{x, y}
		}
	}
	for d := range uint64(side * side) {
		c, ok := at[d]
		if !ok {
			t.Fatalf("step %d is not in the 64×64 corner", d)
		}
		if d > 0 {
			p := at[d-1]
			if dx, dy := int(c[0])-int(p[0]), int(c[1])-int(p[1]); dx*dx+dy*dy != 1 {
				t.Fatalf("step %d at %v does not neighbour step %d at %v", d, c, d-1, p)
			}
		}
	}
}

func TestSpatialOrder_KeepsEachRunOfTheOrderCompact(t *testing.T) {
	// 4096 points on a 64×64 lattice, shuffled: the spatial order walks the
	// lattice from neighbour to neighbour, so any run of 64 covers a small
	// region, unlike input order.
	r := rand.New(rand.NewPCG(7, 7))
	perm := r.Perm(64 * 64)
	xy := make([]float32, 0, 2*len(perm))
	for _, c := range perm {
		xy = append(xy, float32(c%64)*0.1, float32(c/64)*0.1)
	}
	order := SpatialOrder(xy)
	for k := 1; k < len(order); k++ {
		a, b := order[k-1], order[k]
		if d := math.Hypot(float64(xy[2*a]-xy[2*b]), float64(xy[2*a+1]-xy[2*b+1])); d > 0.1001 {
			t.Fatalf("points %d and %d follow each other but lie %v apart", a, b, d)
		}
	}
	if SpatialOrder(nil) == nil || len(SpatialOrder([]float32{1, 1})) != 1 {
		t.Fatal("degenerate inputs")
	}
}

// realThumbs returns the stored-style thumbnails (cell, lod) and pixel
// sizes of real images: the photos sample, emoji, and a very wide strip
// cut from a photo.
func realThumbs(t *testing.T) (sizes [][2]int, cell, lod [][]byte) {
	t.Helper()
	var files []string
	for _, dir := range []string{testkit.Photos(t), testkit.Emoji(t, 20)} {
		matches, err := filepath.Glob(filepath.Join(dir, "*.*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			if filepath.Ext(m) != ".csv" {
				files = append(files, m)
			}
		}
	}
	slices.Sort(files)
	var strip image.Image
	add := func(img image.Image) {
		thumbs, err := imagecodec.Thumbnails(img)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
		cell = append(cell, thumbs[0].JPEG)
		lod = append(lod, thumbs[1].JPEG)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := imagecodec.Decode(data, imagecodec.Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		add(d.Image)
		if strip == nil && d.Width >= 400 {
			strip = d.Image.SubImage(image.Rect(0, 100, 400, 130)) // 400×30: wider than 8:1
		}
	}
	add(strip)
	return sizes, cell, lod
}

// sliceSource serves thumbnails from memory, counting calls.
func sliceSource(thumbs [][]byte) Source {
	return func(_ context.Context, images []int) ([][]byte, error) {
		out := make([][]byte, len(images))
		for k, i := range images {
			out[k] = thumbs[i]
		}
		return out, nil
	}
}

func renderAll(t *testing.T, p *Packing, src Source, opts RenderOptions) ([]Sheet, []int) {
	t.Helper()
	var sheets []Sheet
	missing, err := Render(context.Background(), p, src, opts, func(s Sheet) error {
		sheets = append(sheets, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(sheets, func(a, b Sheet) int { return a.Index - b.Index })
	if len(sheets) != p.Sheets() {
		t.Fatalf("%d sheets emitted, want %d", len(sheets), p.Sheets())
	}
	return sheets, missing
}

func decodeSheet(t *testing.T, s Sheet) *image.RGBA {
	t.Helper()
	d, err := imagecodec.Decode(s.JPEG, imagecodec.Options{})
	if err != nil {
		t.Fatalf("sheet %d: %v", s.Index, err)
	}
	if d.Format != "jpeg" || d.Width != s.Width || d.Height != s.Height {
		t.Fatalf("sheet %d is a %s of %d×%d, recorded %d×%d", s.Index, d.Format, d.Width, d.Height, s.Width, s.Height)
	}
	return d.Image
}

// meanAbsDiff compares a cell of a sheet with a w×h image, per channel.
func meanAbsDiff(sheet *image.RGBA, c Cell, want *image.RGBA) float64 {
	var sum float64
	for y := range c.H {
		for x := range c.W {
			a := sheet.RGBAAt(c.X+x, c.Y+y)
			b := want.RGBAAt(want.Rect.Min.X+x, want.Rect.Min.Y+y)
			sum += math.Abs(float64(a.R)-float64(b.R)) + math.Abs(float64(a.G)-float64(b.G)) + math.Abs(float64(a.B)-float64(b.B))
		}
	}
	return sum / float64(3*c.W*c.H)
}

func TestRender_EveryCellShowsItsThumbnail(t *testing.T) {
	sizes, cellThumbs, lodThumbs := realThumbs(t)
	tiers := []struct {
		name   string
		height int
		side   int
		thumbs [][]byte
	}{
		{"cell tier from cell thumbnails", 32, 256, cellThumbs},
		{"lod tier from lod thumbnails", 128, 1024, lodThumbs},
		{"smaller cells from lod thumbnails", 24, 256, lodThumbs},
	}
	for _, tier := range tiers {
		t.Run(tier.name, func(t *testing.T) {
			p, err := Pack(sizes, nil, tier.height, tier.side)
			if err != nil {
				t.Fatal(err)
			}
			checkPacking(t, p, sizes)
			sheets, missing := renderAll(t, p, sliceSource(tier.thumbs), RenderOptions{})
			if len(missing) != 0 {
				t.Fatalf("placeholders for %v", missing)
			}
			decoded := make([]*image.RGBA, len(sheets))
			for i, s := range sheets {
				decoded[i] = decodeSheet(t, s)
			}
			wants := make([]*image.RGBA, len(p.Cells))
			for i, c := range p.Cells {
				d, err := imagecodec.Decode(tier.thumbs[i], imagecodec.Options{})
				if err != nil {
					t.Fatal(err)
				}
				wants[i] = imagecodec.Resize(d.Image, c.W, c.H)
			}
			for i, c := range p.Cells {
				// Inside a sheet, whose 8×8 JPEG blocks straddle cells,
				// re-encoding costs a few levels (up to ~10 for busy
				// small images, twice what encoding them alone costs); a
				// wrong image costs tens, and must lose the comparison
				// below.
				own := meanAbsDiff(decoded[c.Atlas], c, wants[i])
				if limit := max(8, 2*reencodeError(t, wants[i])+2); own > limit {
					t.Errorf("image %d %+v differs from its thumbnail by %.1f levels on average (limit %.1f)", i, c, own, limit)
				}
				for j := range p.Cells {
					if j != i && sizes[j] != sizes[i] {
						continue
					}
					if other := meanAbsDiff(decoded[c.Atlas], c, imagecodec.Resize(wants[j], c.W, c.H)); j != i && other <= own {
						t.Errorf("image %d's cell looks more like image %d (%.1f) than itself (%.1f)", i, j, other, own)
					}
				}
			}
		})
	}
}

// reencodeError is how much encoding img alone as a JPEG sheet would change it.
func reencodeError(t *testing.T, img *image.RGBA) float64 {
	data, err := imagecodec.EncodeJPEG(img, DefaultQuality)
	if err != nil {
		t.Fatal(err)
	}
	back, err := imagecodec.Decode(data, imagecodec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return meanAbsDiff(back.Image, Cell{W: img.Rect.Dx(), H: img.Rect.Dy()}, img)
}

func TestRender_DrawsPlaceholdersForMissingOrBrokenThumbnails(t *testing.T) {
	sizes, cellThumbs, _ := realThumbs(t)
	thumbs := slices.Clone(cellThumbs)
	thumbs[1] = nil
	thumbs[3] = []byte("not a jpeg")
	p, err := Pack(sizes, nil, 32, 512)
	if err != nil {
		t.Fatal(err)
	}
	sheets, missing := renderAll(t, p, sliceSource(thumbs), RenderOptions{})
	if !slices.Equal(missing, []int{1, 3}) {
		t.Fatalf("placeholders for %v, want [1 3]", missing)
	}
	img := decodeSheet(t, sheets[0])
	grey := image.NewRGBA(image.Rect(0, 0, p.Cells[1].W, p.Cells[1].H))
	for i := 0; i < len(grey.Pix); i += 4 {
		grey.Pix[i], grey.Pix[i+1], grey.Pix[i+2], grey.Pix[i+3] = Placeholder.R, Placeholder.G, Placeholder.B, 255
	}
	if diff := meanAbsDiff(img, p.Cells[1], grey); diff > 4 {
		t.Fatalf("the missing thumbnail's cell is not grey (diff %.1f)", diff)
	}
}

func TestRender_IsDeterministicWhateverTheWorkers(t *testing.T) {
	sizes, cellThumbs, _ := realThumbs(t)
	p, err := Pack(sizes, nil, 32, 256)
	if err != nil {
		t.Fatal(err)
	}
	one, _ := renderAll(t, p, sliceSource(cellThumbs), RenderOptions{Workers: 1})
	many, _ := renderAll(t, p, sliceSource(cellThumbs), RenderOptions{Workers: 4})
	for i := range one {
		if !bytes.Equal(one[i].JPEG, many[i].JPEG) {
			t.Fatalf("sheet %d differs between 1 and 4 workers", i)
		}
	}
}

func TestRender_ReportsProgressAndStopsOnFailure(t *testing.T) {
	sizes, cellThumbs, _ := realThumbs(t)
	p, err := Pack(sizes, nil, 32, 256)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	last := 0
	_, err = Render(context.Background(), p, sliceSource(cellThumbs), RenderOptions{Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != len(sizes) || done <= last || done > total {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last = done
	}}, func(Sheet) error { return nil })
	if err != nil || last != len(sizes) {
		t.Fatalf("err %v, progress ended at %d of %d", err, last, len(sizes))
	}

	boom := errors.New("disk on fire")
	_, err = Render(context.Background(), p, func(context.Context, []int) ([][]byte, error) { return nil, boom },
		RenderOptions{}, func(Sheet) error { return nil })
	if !errors.Is(err, boom) {
		t.Fatalf("source failure: err = %v", err)
	}
	_, err = Render(context.Background(), p, sliceSource(cellThumbs), RenderOptions{}, func(Sheet) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("emit failure: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Render(ctx, p, sliceSource(cellThumbs), RenderOptions{}, func(Sheet) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
	if _, err := Render(context.Background(), p, sliceSource(cellThumbs), RenderOptions{Quality: 101}, nil); err == nil {
		t.Fatal("quality 101 accepted")
	}
}
