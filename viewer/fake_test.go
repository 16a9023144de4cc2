package viewer

// A small in-process stand-in for the pixplot server, for developing and
// checking the viewer before the real server exists. It follows API.md and
// serves real JPEG atlases, thumbnails and layouts generated here. The real
// server's own tests replace this harness.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pixplot/pixplot/internal/imagetest"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

type fakeImage struct {
	ID          int64
	Filename    string
	Category    string
	Description string
	Permalink   string
	Year        *int
	Tags        []string
	Aspect      float64 // width / height
	Color       color.RGBA
	Cluster     int
}

type fakeLabel struct {
	Text string  `json:"text"`
	X    float32 `json:"x"`
	Y    float32 `json:"y"`
}

type fakeHotspot struct {
	ID        int       `json:"id"`
	Label     string    `json:"label"`
	Size      int       `json:"size"`
	Exemplars []int64   `json:"exemplars"`
	Members   []int     `json:"members"`
	Centroid  []float32 `json:"centroid"`
}

type fakeCells struct {
	Tier  int   `json:"tier"`
	Atlas []int `json:"atlas"`
	X     []int `json:"x"`
	Y     []int `json:"y"`
	W     []int `json:"w"`
	H     []int `json:"h"`
}

type fakeTier struct {
	CellSize int
	Size     int
	Atlases  [][]byte
	Cells    fakeCells
}

type fakePlot struct {
	Name    string
	Where   string
	Images  []fakeImage
	Layouts map[string][]float32
	Labels  map[string][]fakeLabel
	// Variants describe the UMAP layouts (umap and umap-…, see
	// addUMAPVariants); the umap-… ones follow the others in the manifest
	// in VariantOrder.
	Variants     map[string]fakeVariant
	VariantOrder []string
	Hotspots     []fakeHotspot
	Tiers        []fakeTier
	Status       string
	Error        string
	polls        int // GETs left while "running"
}

// fakeServer holds plots and answers the API. All methods are safe for
// concurrent use by the browser's parallel requests.
type fakeServer struct {
	mu       sync.Mutex
	readOnly bool
	// atlasSample > 0 packs atlases for only that many images and lets the
	// rest reuse their cells, so huge fakes stay cheap to build.
	atlasSample int
	// atlasGate, when set, holds every atlas response until it is closed.
	atlasGate chan struct{}
	plots     []*fakePlot
	images    map[int64]fakeImage
	thumbs    sync.Map // "id/size" -> []byte
}

var categories = []string{"portrait", "landscape", "street", "interior", "object"}
var tagNames = []string{"bw", "color", "people", "water", "night", "animal", "text"}

// newFakeServer makes one ready plot named "default" with n images.
// Atlas sizes are small so several atlases per tier exist.
func newFakeServer(t testing.TB, n int, opts ...func(*fakeServer)) *fakeServer {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	imgs := make([]fakeImage, n)
	for i := range imgs {
		cluster := i % 5
		var year *int
		if i%7 != 0 {
			y := 1900 + (i*37)%100
			year = &y
		}
		var tags []string
		for k, name := range tagNames {
			if (i+k)%(k+2) == 0 {
				tags = append(tags, name)
			}
		}
		hue := float64(cluster)/5 + rng.Float64()*0.08
		imgs[i] = fakeImage{
			ID:          int64(1000 + i),
			Filename:    fmt.Sprintf("img_%05d.jpg", i),
			Category:    categories[(i/3)%len(categories)],
			Description: fmt.Sprintf("Photograph number %d of cluster %d.\nSecond line.", i, cluster),
			Permalink:   fmt.Sprintf("https://example.org/objects/%d", i),
			Year:        year,
			Tags:        tags,
			Aspect:      []float64{1, 1.5, 0.75, 1.33, 2}[i%5],
			Color:       hsv(hue, 0.65, 0.9),
			Cluster:     cluster,
		}
	}
	if n > 3 {
		imgs[3].Description = `<p>A <b>bold</b> claim <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>` +
			`<a href="javascript:window.__xss=3">bad link</a> <a href="https://example.org/ok" onclick="window.__xss=4">good link</a></p>`
	}
	f := &fakeServer{images: map[int64]fakeImage{}}
	for _, im := range imgs {
		f.images[im.ID] = im
	}
	for _, o := range opts {
		o(f)
	}
	f.plots = append(f.plots, buildPlot(t, "default", "", imgs, f.atlasSample, rng))
	return f
}

func buildPlot(t testing.TB, name, where string, imgs []fakeImage, atlasSample int, rng *rand.Rand) *fakePlot {
	t.Helper()
	p := &fakePlot{Name: name, Where: where, Images: imgs, Status: "ready",
		Layouts: map[string][]float32{}, Labels: map[string][]fakeLabel{}}
	n := len(imgs)
	// umap: five Gaussian blobs
	centres := [][2]float64{{-0.6, 0.5}, {0.55, 0.55}, {0, -0.1}, {-0.55, -0.6}, {0.6, -0.55}}
	umap := make([]float64, 2*n)
	for i, im := range imgs {
		c := centres[im.Cluster]
		umap[2*i] = c[0] + rng.NormFloat64()*0.13
		umap[2*i+1] = c[1] + rng.NormFloat64()*0.13
	}
	p.Layouts["umap"] = normalize(umap)
	// grid: plot order, row 0 on top
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	grid := make([]float64, 2*n)
	for i := range imgs {
		grid[2*i] = float64(i % cols)
		grid[2*i+1] = -float64(i / cols)
	}
	p.Layouts["grid"] = normalize(grid)
	// categorical: one block per category, labels above the blocks
	byCat := map[string][]int{}
	for i, im := range imgs {
		byCat[im.Category] = append(byCat[im.Category], i)
	}
	cat := make([]float64, 2*n)
	var catLabels []fakeLabel
	x0 := 0.0
	for _, c := range categories {
		members := byCat[c]
		side := int(math.Ceil(math.Sqrt(float64(len(members)))))
		for k, i := range members {
			cat[2*i] = x0 + float64(k%side)
			cat[2*i+1] = -float64(k / side)
		}
		catLabels = append(catLabels, fakeLabel{Text: c, X: float32(x0 + float64(side-1)/2), Y: 1.5})
		x0 += float64(side) + 2
	}
	p.Layouts["categorical"], p.Labels["categorical"] = normalizeWithLabels(cat, catLabels)
	// date: a column per decade, undated images have no place (NaN)
	date := make([]float64, 2*n)
	stack := map[int]int{}
	var dateLabels []fakeLabel
	for i, im := range imgs {
		if im.Year == nil {
			date[2*i], date[2*i+1] = math.NaN(), math.NaN()
			continue
		}
		decade := (*im.Year / 10) * 10
		col := (decade - 1900) / 10 * 4
		k := stack[decade]
		stack[decade]++
		date[2*i] = float64(col + k%3)
		date[2*i+1] = float64(k / 3)
	}
	for d := 1900; d < 2000; d += 10 {
		dateLabels = append(dateLabels, fakeLabel{Text: strconv.Itoa(d), X: float32((d-1900)/10*4 + 1), Y: -1.5})
	}
	p.Layouts["date"], p.Labels["date"] = normalizeWithLabels(date, dateLabels)
	// hotspots: the blobs
	for c := range centres {
		h := fakeHotspot{ID: c, Label: fmt.Sprintf("Cluster %c", 'A'+c)}
		for i, im := range imgs {
			if im.Cluster == c {
				h.Members = append(h.Members, i)
				if len(h.Exemplars) < 3 {
					h.Exemplars = append(h.Exemplars, im.ID)
				}
			}
		}
		h.Size = len(h.Members)
		h.Centroid = []float32{float32(centres[c][0]), float32(centres[c][1])}
		if h.Size > 0 {
			p.Hotspots = append(p.Hotspots, h)
		}
	}
	packed := imgs
	if atlasSample > 0 && atlasSample < n {
		packed = imgs[:atlasSample]
	}
	p.Tiers = []fakeTier{packTier(t, packed, 32, 512, false), packTier(t, packed, 128, 1024, true)}
	for k := range p.Tiers {
		c := &p.Tiers[k].Cells
		for i := len(packed); i < n; i++ {
			j := i % len(packed)
			c.Atlas, c.X, c.Y, c.W, c.H = append(c.Atlas, c.Atlas[j]), append(c.X, c.X[j]), append(c.Y, c.Y[j]), append(c.W, c.W[j]), append(c.H, c.H[j])
		}
	}
	return p
}

// normalize centres positions and scales them into [-1,1], keeping the
// aspect ratio; NaN stays NaN.
// fakeVariant is a manifest layout's "variant".
type fakeVariant struct {
	NNeighbors int     `json:"n_neighbors"`
	MinDist    float64 `json:"min_dist"`
	Jitter     bool    `json:"jitter"`
}

// addUMAPVariants gives plot p the UMAP layouts of `pixplot plot
// --n-neighbors 15,5 --min-distance 0.1,0.5`: umap is (15, 0.1); each
// other combination is umap-n<N>-d<D>, its clusters tighter or looser; every
// one has a -jitter twin, its points snapped to a coarse grid.
// Each variant is the umap layout shrunk by another factor, so tests can
// tell where images are.
func (f *fakeServer) addUMAPVariants(p *fakePlot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p.Variants = map[string]fakeVariant{}
	umap := p.Layouts["umap"]
	shrink := float32(1)
	for _, n := range []int{15, 5} {
		for _, d := range []float64{0.1, 0.5} {
			name := "umap"
			pos := umap
			if n != 15 || d != 0.1 {
				name = fmt.Sprintf("umap-n%d-d%g", n, d)
				pos = make([]float32, len(umap))
				shrink -= 0.2
				for k, v := range umap {
					pos[k] = v * shrink
				}
				p.Layouts[name] = pos
				p.VariantOrder = append(p.VariantOrder, name)
			}
			p.Variants[name] = fakeVariant{NNeighbors: n, MinDist: d}
			twin := make([]float32, len(pos))
			for k, v := range pos {
				twin[k] = float32(math.Round(float64(v)*20) / 20)
			}
			p.Layouts[name+"-jitter"] = twin
			p.Variants[name+"-jitter"] = fakeVariant{NNeighbors: n, MinDist: d, Jitter: true}
			p.VariantOrder = append(p.VariantOrder, name+"-jitter")
		}
	}
}

func normalize(xy []float64) []float32 {
	out, _ := normalizeWithLabels(xy, nil)
	return out
}

func normalizeWithLabels(xy []float64, labels []fakeLabel) ([]float32, []fakeLabel) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < len(xy); i += 2 {
		if math.IsNaN(xy[i]) {
			continue
		}
		x0, x1 = math.Min(x0, xy[i]), math.Max(x1, xy[i])
		y0, y1 = math.Min(y0, xy[i+1]), math.Max(y1, xy[i+1])
	}
	cx, cy := (x0+x1)/2, (y0+y1)/2
	half := math.Max(math.Max(x1-x0, y1-y0)/2, 1e-9)
	out := make([]float32, len(xy))
	for i := 0; i < len(xy); i += 2 {
		out[i] = float32((xy[i] - cx) / half)
		out[i+1] = float32((xy[i+1] - cy) / half)
	}
	ls := make([]fakeLabel, len(labels))
	for k, l := range labels {
		ls[k] = fakeLabel{Text: l.Text, X: float32((float64(l.X) - cx) / half), Y: float32((float64(l.Y) - cy) / half)}
	}
	return out, ls
}

// packTier shelf-packs one cell per image (cellSize px tall) into square
// atlases of size px and encodes them as JPEG.
func packTier(t testing.TB, imgs []fakeImage, cellSize, size int, detailed bool) fakeTier {
	t.Helper()
	tier := fakeTier{CellSize: cellSize, Size: size, Cells: fakeCells{Tier: cellSize}}
	var canvas *image.RGBA
	x, y := 0, 0
	flush := func() {
		if canvas == nil {
			return
		}
		tier.Atlases = append(tier.Atlases, imagetest.EncodeJPEG(t, canvas, 85))
		canvas = nil
	}
	for _, im := range imgs {
		w := max(4, int(math.Round(float64(cellSize)*im.Aspect)))
		if x+w > size {
			x, y = 0, y+cellSize
		}
		if canvas == nil || y+cellSize > size {
			flush()
			canvas = image.NewRGBA(image.Rect(0, 0, size, size))
			x, y = 0, 0
		}
		r := image.Rect(x, y, x+w, y+cellSize)
		drawCell(canvas, r, im, detailed)
		c := &tier.Cells
		c.Atlas = append(c.Atlas, len(tier.Atlases))
		c.X, c.Y, c.W, c.H = append(c.X, x), append(c.Y, y), append(c.W, w), append(c.H, cellSize)
		x += w
	}
	flush()
	return tier
}

// drawCell paints an image's stand-in: its colour, a dark frame, its id in
// the top-left corner and a white bar along the bottom, so flips and wrong
// rectangles show in screenshots. The detailed (lod) tier adds a diagonal.
func drawCell(dst *image.RGBA, r image.Rectangle, im fakeImage, detailed bool) {
	draw.Draw(dst, r, image.NewUniform(color.RGBA{20, 20, 20, 255}), image.Point{}, draw.Src)
	inner := r.Inset(max(1, r.Dy()/16))
	draw.Draw(dst, inner, image.NewUniform(im.Color), image.Point{}, draw.Src)
	bar := image.Rect(inner.Min.X, inner.Max.Y-max(2, r.Dy()/8), inner.Max.X, inner.Max.Y)
	draw.Draw(dst, bar, image.NewUniform(color.White), image.Point{}, draw.Src)
	if detailed {
		for k := 0; k < inner.Dy(); k++ {
			x := inner.Min.X + k*inner.Dx()/inner.Dy()
			dst.Set(x, inner.Min.Y+k, color.White)
		}
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13,
		Dot: fixed.P(inner.Min.X+1, inner.Min.Y+11)}
	d.DrawString(strconv.FormatInt(im.ID, 10))
}

func hsv(h, s, v float64) color.RGBA {
	h = math.Mod(h, 1) * 6
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := v - c
	return color.RGBA{uint8((r + m) * 255), uint8((g + m) * 255), uint8((b + m) * 255), 255}
}

func (f *fakeServer) plot(name string) *fakePlot {
	for _, p := range f.plots {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// handler serves the viewer's files at / and the API under /api/.
func (f *fakeServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(FS()))
	mux.HandleFunc("GET /api/config", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]bool{"read_only": f.readOnly, "static": false})
	})
	mux.HandleFunc("GET /api/plots", f.listPlots)
	mux.HandleFunc("POST /api/plots", f.createPlot)
	mux.HandleFunc("GET /api/plots/{plot}", f.withPlot(f.manifest))
	mux.HandleFunc("GET /api/plots/{plot}/layouts/{layout}", f.withPlot(f.layout))
	mux.HandleFunc("GET /api/plots/{plot}/cells", f.withPlot(f.cells))
	mux.HandleFunc("GET /api/plots/{plot}/meta", f.withPlot(f.meta))
	mux.HandleFunc("GET /api/plots/{plot}/atlases/{i}", f.withPlot(f.atlas))
	mux.HandleFunc("PATCH /api/plots/{plot}/hotspots/{id}", f.withPlot(f.editHotspot))
	mux.HandleFunc("GET /api/images/{id}", f.withImage(f.imageMeta))
	mux.HandleFunc("GET /api/images/{id}/thumb", f.withImage(f.thumb))
	mux.HandleFunc("GET /api/images/{id}/similar", f.withImage(f.similar))
	mux.HandleFunc("POST /api/similar", f.similarToUpload)
	mux.HandleFunc("GET /api/search", f.search)
	return mux
}

func (f *fakeServer) withPlot(h func(http.ResponseWriter, *http.Request, *fakePlot)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		p := f.plot(r.PathValue("plot"))
		f.mu.Unlock()
		if p == nil {
			writeError(w, 404, "no plot named %q", r.PathValue("plot"))
			return
		}
		h(w, r, p)
	}
}

func (f *fakeServer) withImage(h func(http.ResponseWriter, *http.Request, fakeImage)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		im, ok := f.images[id]
		if err != nil || !ok {
			writeError(w, 404, "no image with id %q", r.PathValue("id"))
			return
		}
		h(w, r, im)
	}
}

func (f *fakeServer) listPlots(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []map[string]any{}
	for _, p := range f.plots {
		out = append(out, map[string]any{"name": p.Name, "where": p.Where, "status": p.Status, "count": len(p.Images),
			"layouts": slices.Sorted(maps.Keys(p.Layouts)), "hotspots": len(p.Hotspots), "created": "2025-01-02T03:04:05Z"})
	}
	writeJSON(w, 200, out)
}

// createPlot accepts any filter except one naming an unknown column; the new
// plot reports "running" for two polls, then is ready with the same images.
func (f *fakeServer) createPlot(w http.ResponseWriter, r *http.Request) {
	if f.readOnly {
		writeError(w, 403, "this server is read-only")
		return
	}
	var body struct {
		Name  string `json:"name"`
		Where string `json:"where"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, 400, "request body: %v", err)
		return
	}
	if strings.Contains(body.Where, "nosuchcolumn") {
		writeError(w, 400, "filter: no such column: nosuchcolumn")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.plot(body.Name) != nil {
		writeError(w, 409, "a plot named %q exists", body.Name)
		return
	}
	base := f.plots[0]
	p := *base
	p.Name, p.Where, p.Status, p.polls = body.Name, body.Where, "running", 2
	p.Hotspots = slices.Clone(base.Hotspots)
	f.plots = append(f.plots, &p)
	writeJSON(w, 202, map[string]string{"name": p.Name, "status": p.Status})
}

func (f *fakeServer) manifest(w http.ResponseWriter, r *http.Request, p *fakePlot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	head := map[string]any{"name": p.Name, "where": p.Where, "status": p.Status, "count": len(p.Images), "created": "2025-01-02T03:04:05Z"}
	if p.Status == "running" {
		head["progress"] = fmt.Sprintf("umap %d/2", 2-p.polls)
		if p.polls--; p.polls <= 0 {
			p.Status = "ready"
		}
		writeJSON(w, 200, head)
		return
	}
	ids := make([]int64, len(p.Images))
	for i, im := range p.Images {
		ids[i] = im.ID
	}
	var layouts []map[string]any
	for _, name := range []string{"umap", "grid", "categorical", "date", "geographic"} {
		if _, ok := p.Layouts[name]; !ok {
			continue // geographic: only where a test adds it
		}
		l := map[string]any{"name": name}
		if labels, ok := p.Labels[name]; ok {
			l["labels"] = labels
		}
		if v, ok := p.Variants[name]; ok {
			l["variant"] = v
		}
		layouts = append(layouts, l)
	}
	for _, name := range p.VariantOrder {
		layouts = append(layouts, map[string]any{"name": name, "variant": p.Variants[name]})
	}
	var atlases []map[string]any
	for _, t := range p.Tiers {
		atlases = append(atlases, map[string]any{"cell_size": t.CellSize, "size": t.Size, "count": len(t.Atlases)})
	}
	head["images"], head["layouts"], head["hotspots"], head["atlases"] = ids, layouts, p.Hotspots, atlases
	writeJSON(w, 200, head)
}

func (f *fakeServer) layout(w http.ResponseWriter, r *http.Request, p *fakePlot) {
	pos, ok := p.Layouts[r.PathValue("layout")]
	if !ok {
		writeError(w, 404, "plot %s has no layout %q", p.Name, r.PathValue("layout"))
		return
	}
	if r.URL.Query().Get("format") == "json" {
		out := make([]any, len(pos))
		for i, v := range pos {
			if math.IsNaN(float64(v)) {
				out[i] = nil
			} else {
				out[i] = v
			}
		}
		writeJSON(w, 200, out)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	binary.Write(w, binary.LittleEndian, pos)
}

func (f *fakeServer) tier(w http.ResponseWriter, r *http.Request, p *fakePlot) *fakeTier {
	want, _ := strconv.Atoi(r.URL.Query().Get("tier"))
	for i := range p.Tiers {
		if p.Tiers[i].CellSize == want {
			return &p.Tiers[i]
		}
	}
	writeError(w, 404, "plot %s has no atlas tier %q", p.Name, r.URL.Query().Get("tier"))
	return nil
}

func (f *fakeServer) cells(w http.ResponseWriter, r *http.Request, p *fakePlot) {
	if t := f.tier(w, r, p); t != nil {
		writeJSON(w, 200, t.Cells)
	}
}

func (f *fakeServer) atlas(w http.ResponseWriter, r *http.Request, p *fakePlot) {
	if f.atlasGate != nil {
		select {
		case <-f.atlasGate:
		case <-r.Context().Done():
			return
		}
	}
	t := f.tier(w, r, p)
	if t == nil {
		return
	}
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= len(t.Atlases) {
		writeError(w, 404, "tier %d has no atlas %q", t.CellSize, r.PathValue("i"))
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(t.Atlases[i])
}

func (f *fakeServer) meta(w http.ResponseWriter, r *http.Request, p *fakePlot) {
	catIndex := map[string]int{}
	for i, c := range categories {
		catIndex[c] = i
	}
	tagIndex := map[string]int{}
	for i, t := range tagNames {
		tagIndex[t] = i
	}
	n := len(p.Images)
	out := struct {
		Filename   []string `json:"filename"`
		Categories []string `json:"categories"`
		Category   []int    `json:"category"`
		Year       []*int   `json:"year"`
		Tags       []string `json:"tags"`
		TagIDs     [][]int  `json:"tag_ids"`
	}{make([]string, n), categories, make([]int, n), make([]*int, n), tagNames, make([][]int, n)}
	for i, im := range p.Images {
		out.Filename[i], out.Category[i], out.Year[i] = im.Filename, catIndex[im.Category], im.Year
		out.TagIDs[i] = []int{}
		for _, t := range im.Tags {
			out.TagIDs[i] = append(out.TagIDs[i], tagIndex[t])
		}
	}
	writeJSON(w, 200, out)
}

// editHotspot answers PATCH .../hotspots/{id}: any of label, rank (its new
// 0-based place in the list) and exemplar (a member's image id, which
// becomes exemplars[0]).
func (f *fakeServer) editHotspot(w http.ResponseWriter, r *http.Request, p *fakePlot) {
	if f.readOnly {
		writeError(w, 403, "this server is read-only")
		return
	}
	var body struct {
		Label    *string `json:"label"`
		Rank     *int    `json:"rank"`
		Exemplar *int64  `json:"exemplar"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Label == nil && body.Rank == nil && body.Exemplar == nil ||
		body.Label != nil && strings.TrimSpace(*body.Label) == "" {
		writeError(w, 400, "send a non-empty label, a rank or an exemplar")
		return
	}
	id, _ := strconv.Atoi(r.PathValue("id"))
	f.mu.Lock()
	defer f.mu.Unlock()
	k := slices.IndexFunc(p.Hotspots, func(h fakeHotspot) bool { return h.ID == id })
	if k < 0 {
		writeError(w, 404, "plot %s has no hotspot %d", p.Name, id)
		return
	}
	h := p.Hotspots[k]
	if body.Rank != nil && (*body.Rank < 0 || *body.Rank >= len(p.Hotspots)) {
		writeError(w, 400, "rank %d is outside 0 to %d", *body.Rank, len(p.Hotspots)-1)
		return
	}
	if e := body.Exemplar; e != nil {
		if !slices.ContainsFunc(h.Members, func(m int) bool { return p.Images[m].ID == *e }) {
			writeError(w, 400, "image %d is not a member of hotspot %d", *e, id)
			return
		}
		h.Exemplars = append([]int64{*e}, slices.DeleteFunc(slices.Clone(h.Exemplars), func(x int64) bool { return x == *e })...)
	}
	if body.Label != nil {
		h.Label = *body.Label
	}
	// A new slice: a manifest being written may still hold the old one.
	list := slices.Clone(p.Hotspots)
	list[k] = h
	if body.Rank != nil {
		list = slices.Insert(slices.Delete(list, k, k+1), *body.Rank, h)
	}
	p.Hotspots = list
	writeJSON(w, 200, h)
}

func (f *fakeServer) imageJSON(im fakeImage) map[string]any {
	return map[string]any{"id": im.ID, "filename": im.Filename, "path": "photos/" + im.Filename,
		"width": int(math.Round(600 * im.Aspect)), "height": 600, "format": "jpeg", "category": im.Category,
		"description": im.Description, "permalink": im.Permalink, "year": im.Year, "label": nil, "lat": nil, "lng": nil,
		"x": nil, "y": nil, "tags": append([]string{}, im.Tags...),
		"extra": map[string]string{"photographer": fmt.Sprintf("Person %d", im.ID%4), "id": "dup"}}
}

func (f *fakeServer) imageMeta(w http.ResponseWriter, r *http.Request, im fakeImage) {
	writeJSON(w, 200, f.imageJSON(im))
}

func (f *fakeServer) thumb(w http.ResponseWriter, r *http.Request, im fakeImage) {
	size := r.URL.Query().Get("size")
	if size != "cell" && size != "preview" {
		writeError(w, 400, "size: want cell or preview, got %q", size)
		return
	}
	key := fmt.Sprintf("%d/%s", im.ID, size)
	if b, ok := f.thumbs.Load(key); ok {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(b.([]byte))
		return
	}
	h := 32
	if size == "preview" {
		h = 192
	}
	wd := int(math.Round(float64(h) * im.Aspect))
	canvas := image.NewRGBA(image.Rect(0, 0, wd, h))
	drawCell(canvas, canvas.Bounds(), im, size == "preview")
	var buf bytes.Buffer
	jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: 85})
	f.thumbs.Store(key, buf.Bytes())
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(buf.Bytes())
}

type neighbor struct {
	ID       int64   `json:"id"`
	Filename string  `json:"filename"`
	Distance float64 `json:"distance"`
}

// nearestByColor ranks the plot's images by colour distance: the fake's
// stand-in for embedding distance.
func (f *fakeServer) nearestByColor(c color.RGBA, k int, skip int64) []neighbor {
	var out []neighbor
	for _, im := range f.plots[0].Images {
		if im.ID == skip {
			continue
		}
		d := math.Sqrt(sq(float64(im.Color.R)-float64(c.R))+sq(float64(im.Color.G)-float64(c.G))+sq(float64(im.Color.B)-float64(c.B))) / 441.7
		out = append(out, neighbor{im.ID, im.Filename, d})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Distance < out[b].Distance })
	return out[:min(k, len(out))]
}

func sq(x float64) float64 { return x * x }

func (f *fakeServer) similar(w http.ResponseWriter, r *http.Request, im fakeImage) {
	k, _ := strconv.Atoi(r.URL.Query().Get("k"))
	if k <= 0 {
		k = 20
	}
	writeJSON(w, 200, f.nearestByColor(im.Color, k, im.ID))
}

func (f *fakeServer) similarToUpload(w http.ResponseWriter, r *http.Request) {
	if f.readOnly {
		writeError(w, 403, "this server is read-only")
		return
	}
	file, _, err := r.FormFile("image")
	if err != nil {
		writeError(w, 400, "multipart field image: %v", err)
		return
	}
	defer file.Close()
	img, _, err := image.Decode(file)
	if err != nil {
		writeError(w, 400, "image: %v", err)
		return
	}
	var sr, sg, sb, n float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			sr, sg, sb, n = sr+float64(r>>8), sg+float64(g>>8), sb+float64(bb>>8), n+1
		}
	}
	k, _ := strconv.Atoi(r.URL.Query().Get("k"))
	writeJSON(w, 200, f.nearestByColor(color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255}, max(k, 1), -1))
}

func (f *fakeServer) search(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	out := []map[string]any{}
	for _, im := range f.plots[0].Images {
		text := strings.ToLower(strings.Join(append([]string{im.Filename, im.Category, im.Description}, im.Tags...), " "))
		if q != "" && strings.Contains(text, q) && len(out) < 50 {
			out = append(out, map[string]any{"id": im.ID, "filename": im.Filename, "snippet": im.Category + " · " + strings.Join(im.Tags, ", ")})
		}
	}
	writeJSON(w, 200, out)
}

// exportStatic writes a static export of the fake's plots into dir: the
// viewer's files, StaticConfig, and each API answer saved at the path
// static.go maps it to.
func (f *fakeServer) exportStatic(t testing.TB, dir string) {
	t.Helper()
	err := fs.WalkDir(FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS(), path)
		if err != nil {
			return err
		}
		return writeFile(dir, path, b)
	})
	if err != nil {
		t.Fatal(err)
	}
	h := f.handler()
	save := func(url, path string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code != 200 {
			t.Fatalf("export %s: status %d: %s", url, rec.Code, rec.Body.String())
		}
		if err := writeFile(dir, path, rec.Body.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeFile(dir, ConfigFile, StaticConfig); err != nil {
		t.Fatal(err)
	}
	save("/api/plots", PlotsFile)
	for _, p := range f.plots {
		save("/api/plots/"+p.Name, ManifestFile(p.Name))
		save("/api/plots/"+p.Name+"/meta", MetaFile(p.Name))
		for name := range p.Layouts {
			save("/api/plots/"+p.Name+"/layouts/"+name, LayoutFile(p.Name, name))
		}
		for _, tier := range p.Tiers {
			save(fmt.Sprintf("/api/plots/%s/cells?tier=%d", p.Name, tier.CellSize), CellsFile(p.Name, tier.CellSize))
			for i := range tier.Atlases {
				save(fmt.Sprintf("/api/plots/%s/atlases/%d?tier=%d", p.Name, i, tier.CellSize), AtlasFile(p.Name, tier.CellSize, i))
			}
		}
		for _, im := range p.Images {
			save(fmt.Sprintf("/api/images/%d", im.ID), ImageFile(im.ID))
			save(fmt.Sprintf("/api/images/%d/similar?k=20", im.ID), SimilarFile(im.ID))
			for _, size := range []string{"cell", "preview"} {
				save(fmt.Sprintf("/api/images/%d/thumb?size=%s", im.ID, size), ThumbFile(im.ID, size))
			}
		}
	}
}

func writeFile(root, path string, b []byte) error {
	full := filepath.Join(root, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, b, 0o644)
}
