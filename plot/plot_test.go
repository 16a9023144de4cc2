package plot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/internal/testkit"
	"github.com/pixplot/pixplot/plot/atlas"
	"github.com/pixplot/pixplot/plot/internal/synth"
	"github.com/pixplot/pixplot/plot/layout"
)

// thumbStore serves thumbnails made with imagecodec from real images,
// counting what it is asked for.
type thumbStore struct {
	mu     sync.Mutex
	thumbs map[int64]map[string][]byte
	calls  map[string]int
}

func (s *thumbStore) ThumbnailJPEGs(_ context.Context, size string, ids []int64) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[size]++
	out := make([][]byte, len(ids))
	for k, id := range ids {
		out[k] = s.thumbs[id][size]
	}
	return out, nil
}

// realImage is a real picture's pixel size and stored thumbnails.
type realImage struct {
	w, h      int
	cell, lod []byte
}

var (
	realOnce   sync.Once
	realImages []realImage
	realErr    error
)

// loadRealImages makes the thumbnails of the photos sample and 20 emoji.
func loadRealImages(t testing.TB) []realImage {
	t.Helper()
	dirs := []string{testkit.Photos(t), testkit.Emoji(t, 20)}
	realOnce.Do(func() {
		for _, dir := range dirs {
			files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
			slices.Sort(files)
			for _, f := range files {
				if filepath.Ext(f) == ".csv" {
					continue
				}
				data, err := os.ReadFile(f)
				if err != nil {
					realErr = err
					return
				}
				d, err := imagecodec.Decode(data, imagecodec.Options{})
				if err != nil {
					realErr = fmt.Errorf("%s: %w", f, err)
					return
				}
				thumbs, err := imagecodec.Thumbnails(d.Image)
				if err != nil {
					realErr = err
					return
				}
				realImages = append(realImages, realImage{d.Width, d.Height, thumbs[0].JPEG, thumbs[1].JPEG})
			}
		}
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realImages
}

// blobInput is n embedding-like vectors in `clusters` clusters, each image
// with metadata that follows its cluster (category "group-<c>" for 90%,
// a tag per cluster pair, years by cluster, coordinates for half, x/y for
// all) and the thumbnails of a real image.
func blobInput(t testing.TB, n, clusters int) (Input, []int) {
	t.Helper()
	return blobInputDim(t, n, clusters, 48)
}

// blobInputDim is blobInput with dim-dimensional vectors.
func blobInputDim(t testing.TB, n, clusters, dim int) (Input, []int) {
	t.Helper()
	real := loadRealImages(t)
	vecs, truth := synth.Embeddings(n, dim, 6, clusters, 0.12, 0.02, 11)
	store := &thumbStore{thumbs: map[int64]map[string][]byte{}, calls: map[string]int{}}
	in := Input{Vectors: vecs, Dim: dim, Thumbnails: store}
	for i := range n {
		c := truth[i]
		r := real[i%len(real)]
		id := int64(1000 + 7*i)
		store.thumbs[id] = map[string][]byte{pixplot.ThumbCell: r.cell, pixplot.ThumbLOD: r.lod}
		img := Image{ID: id, Width: r.w, Height: r.h, Category: fmt.Sprintf("group-%d", c),
			Label: fmt.Sprintf("group-%d", c), Tags: []string{fmt.Sprintf("pair-%d", c/2), "everything"}}
		if i%10 == 9 {
			img.Category = "stray"
		}
		year := 1900 + 10*c + i%3
		img.Year = &year
		if i%2 == 0 {
			lat, lng := float64(10*(c%9)), float64(-100+20*(c%10))
			img.Lat, img.Lng = &lat, &lng
		}
		x, y := float64(i%17), float64(i/17)
		img.X, img.Y = &x, &y
		in.Images = append(in.Images, img)
	}
	return in, truth
}

func fastOptions() Options {
	o := DefaultOptions()
	o.Epochs = 150
	o.Seed = 42
	o.PCADims = 16
	o.AtlasSize = 1024
	return o
}

func TestRun_MakesEveryLayoutLabelledHotspotsAndAtlases(t *testing.T) {
	const n, clusters = 400, 4
	in, truth := blobInput(t, n, clusters)
	opts := fastOptions()
	var mu sync.Mutex
	seen := map[string]Progress{}
	opts.Progress = func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if last, ok := seen[p.Stage]; ok && (p.Done < last.Done || p.Total != last.Total) {
			t.Errorf("%s progress went from %d/%d to %d/%d", p.Stage, last.Done, last.Total, p.Done, p.Total)
		}
		if p.Done > p.Total {
			t.Errorf("%s progress %d of %d", p.Stage, p.Done, p.Total)
		}
		seen[p.Stage] = p
	}
	res, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ImageIDs) != n || res.ImageIDs[3] != in.Images[3].ID {
		t.Fatal("ImageIDs are not the input's, in order")
	}

	var names []string
	for _, l := range res.Layouts {
		names = append(names, l.Name)
		if len(l.Positions) != 2*n {
			t.Fatalf("%s: %d coordinates for %d images", l.Name, len(l.Positions), n)
		}
		for _, v := range l.Positions {
			if v < -1 || v > 1 {
				t.Fatalf("%s: coordinate %v outside [-1, 1]", l.Name, v)
			}
		}
	}
	want := []string{layout.UMAP, layout.Grid, layout.Categorical, layout.Date, layout.Geographic, layout.Custom, layout.UMAPJitter}
	if !slices.Equal(names, want) {
		t.Fatalf("layouts %v, want %v", names, want)
	}
	if cat := res.Layout(layout.Categorical); len(cat.Labels) != clusters+1 {
		t.Fatalf("categorical labels %v, want one per group and stray", cat.Labels)
	}

	// Hotspots: the planted clusters, named by their dominant category.
	if len(res.Hotspots) < clusters {
		t.Fatalf("%d hotspots, want at least %d", len(res.Hotspots), clusters)
	}
	member := map[int]int{}
	labels := map[string]bool{}
	for k, h := range res.Hotspots {
		if h.ID != k+1 || h.Size != len(h.Members) || (k > 0 && h.Size > res.Hotspots[k-1].Size) {
			t.Fatalf("hotspot %d: id %d, size %d, %d members (want ids 1… by decreasing size)", k, h.ID, h.Size, len(h.Members))
		}
		counts := map[int]int{}
		var cx, cy float32
		for _, i := range h.Members {
			if prev, dup := member[i]; dup {
				t.Fatalf("image %d is in hotspots %d and %d", i, prev, h.ID)
			}
			member[i] = h.ID
			counts[truth[i]]++
			x, y := res.Layouts[0].Point(i)
			cx, cy = cx+x/float32(h.Size), cy+y/float32(h.Size)
		}
		if d := max(abs(cx-h.Centroid[0]), abs(cy-h.Centroid[1])); d > 1e-4 {
			t.Fatalf("hotspot %d centroid %v, members' mean (%v, %v)", h.ID, h.Centroid, cx, cy)
		}
		if len(h.Exemplars) == 0 || len(h.Exemplars) > Exemplars {
			t.Fatalf("hotspot %d has %d exemplars", h.ID, len(h.Exemplars))
		}
		for _, id := range h.Exemplars {
			if i := slices.Index(res.ImageIDs, id); !slices.Contains(h.Members, i) {
				t.Fatalf("hotspot %d exemplar %d is not a member", h.ID, id)
			}
		}
		if k < clusters {
			best := 0
			for c, m := range counts {
				if m > counts[best] {
					best = c
				}
			}
			if want := fmt.Sprintf("group-%d", best); !strings.HasPrefix(h.Label, want) {
				t.Errorf("hotspot %d (mostly cluster %d) is labelled %q, want %q", h.ID, best, h.Label, want)
			}
			labels[h.Label] = true
		}
	}
	if len(labels) != clusters {
		t.Errorf("the %d largest hotspots share labels: %v", clusters, labels)
	}

	// Atlases: both tiers, every image drawn from its own thumbnails.
	if len(res.Tiers) != 2 || res.Tiers[0].Height != 32 || res.Tiers[1].Height != 128 {
		t.Fatalf("tiers %+v", res.Tiers)
	}
	for _, tier := range res.Tiers {
		if len(tier.Cells) != n || len(tier.Sheets) == 0 {
			t.Fatalf("tier %d: %d cells, %d sheets", tier.Height, len(tier.Cells), len(tier.Sheets))
		}
		for k, s := range tier.Sheets {
			d, err := imagecodec.Decode(s.JPEG, imagecodec.Options{})
			if err != nil || s.Index != k || d.Width != s.Width || d.Height != s.Height || s.Width > opts.AtlasSize {
				t.Fatalf("tier %d sheet %d (index %d, %d×%d): %v", tier.Height, k, s.Index, s.Width, s.Height, err)
			}
		}
	}
	if len(res.Tiers[1].Sheets) < 2 {
		t.Fatalf("the zoomed-in tier has %d sheets; the test wants several", len(res.Tiers[1].Sheets))
	}
	if len(res.Warnings) != 0 {
		t.Fatalf("warnings: %v", res.Warnings)
	}

	// Timings and progress for every stage.
	var stages []string
	for _, tm := range res.Timings {
		stages = append(stages, tm.Stage)
		if tm.Seconds < 0 {
			t.Fatalf("%s took %v s", tm.Stage, tm.Seconds)
		}
	}
	wantStages := []string{StagePCA, StageKNN, StageUMAP, StageClustering, StageLayouts, StageAtlases}
	if !slices.Equal(stages, wantStages) {
		t.Fatalf("timed stages %v, want %v", stages, wantStages)
	}
	for _, s := range wantStages {
		if p, ok := seen[s]; !ok || p.Done != p.Total {
			t.Errorf("stage %s progress ended at %+v", s, p)
		}
	}
	if seen[StageUMAP].Total != opts.Epochs || seen[StageAtlases].Total != 2*n {
		t.Errorf("umap progress %+v (want epochs), atlases %+v (want 2 tiers × images)", seen[StageUMAP], seen[StageAtlases])
	}
}

func abs(v float32) float32 { return max(v, -v) }

func TestRun_KeepsAZoomedInRegionOnFewSheets(t *testing.T) {
	// Spatial packing: the images nearest any point of the map lie on few
	// sheets of the zoomed-in tier, far fewer than in plot order.
	in, _ := blobInput(t, 400, 4)
	res, err := Run(context.Background(), in, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	lod := res.Tiers[1]
	umap := res.Layouts[0]
	sheetsNear := func(cells func(i int) int) float64 {
		total := 0
		for q := 0; q < 400; q += 20 {
			qx, qy := umap.Point(q)
			near := slices.SortedFunc(slices.Values(rangeN(400)), func(a, b int) int {
				ax, ay := umap.Point(a)
				bx, by := umap.Point(b)
				da := (ax-qx)*(ax-qx) + (ay-qy)*(ay-qy)
				db := (bx-qx)*(bx-qx) + (by-qy)*(by-qy)
				switch {
				case da < db:
					return -1
				case da > db:
					return 1
				}
				return a - b
			})[:25]
			sheets := map[int]bool{}
			for _, i := range near {
				sheets[cells(i)] = true
			}
			total += len(sheets)
		}
		return float64(total) / 20
	}
	spatial := sheetsNear(func(i int) int { return lod.Cells[i].Atlas })
	perSheet := (400 + len(lod.Sheets) - 1) / len(lod.Sheets)
	inOrder := sheetsNear(func(i int) int { return i / perSheet })
	t.Logf("25 nearest images span %.2f sheets (of %d), %.2f if packed in plot order", spatial, len(lod.Sheets), inOrder)
	if spatial > 2.5 || spatial >= inOrder/1.5 {
		t.Fatalf("25 nearest images span %.2f sheets on average; plot order would give %.2f", spatial, inOrder)
	}
}

func rangeN(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestRun_SameSeedSamePlot(t *testing.T) {
	in, _ := blobInput(t, 150, 3)
	opts := fastOptions()
	opts.Threads = 1
	a, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Threads = 2
	b, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	for k := range a.Layouts {
		if !slices.Equal(a.Layouts[k].Positions, b.Layouts[k].Positions) {
			t.Fatalf("%s layout differs between runs", a.Layouts[k].Name)
		}
	}
	if len(a.Hotspots) != len(b.Hotspots) {
		t.Fatal("hotspots differ between runs")
	}
	for k := range a.Hotspots {
		ha, hb := a.Hotspots[k], b.Hotspots[k]
		if ha.Label != hb.Label || !slices.Equal(ha.Members, hb.Members) || !slices.Equal(ha.Exemplars, hb.Exemplars) {
			t.Fatalf("hotspot %d differs between runs", ha.ID)
		}
	}
	for k := range a.Tiers {
		for s := range a.Tiers[k].Sheets {
			if !bytes.Equal(a.Tiers[k].Sheets[s].JPEG, b.Tiers[k].Sheets[s].JPEG) {
				t.Fatalf("tier %d sheet %d differs between runs", a.Tiers[k].Height, s)
			}
		}
	}
	opts.Seed++
	c, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Layouts[0].Positions, c.Layouts[0].Positions) {
		t.Fatal("another seed gave the same umap layout")
	}
}

func TestRun_OneTwoOrThreeImagesMakeAValidPlot(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in, _ := blobInput(t, n, 1)
			opts := fastOptions()
			opts.NNeighbors = []int{15, 5} // variants too
			res, err := Run(context.Background(), in, opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Layout(layout.UMAP) == nil || res.Layout(layout.Grid) == nil || res.Layout(layout.Date) == nil ||
				res.Layout(layout.UMAPJitter) == nil || res.Layout("umap-n5-d0.01-jitter") == nil {
				t.Fatalf("layouts %v", res.Layouts)
			}
			for _, l := range res.Layouts {
				if len(l.Positions) != 2*n {
					t.Fatalf("%s has %d coordinates", l.Name, len(l.Positions))
				}
			}
			if len(res.Hotspots) != 0 {
				t.Fatalf("%d hotspots among %d images", len(res.Hotspots), n)
			}
			for _, tier := range res.Tiers {
				if len(tier.Cells) != n || len(tier.Sheets) != 1 {
					t.Fatalf("tier %d: %d cells on %d sheets", tier.Height, len(tier.Cells), len(tier.Sheets))
				}
			}
		})
	}
}

func TestRun_EmptySelectionIsAnError(t *testing.T) {
	_, err := Run(context.Background(), Input{Dim: 8, Thumbnails: &thumbStore{}}, DefaultOptions())
	if !errors.Is(err, ErrEmpty) {
		t.Fatalf("err = %v, want ErrEmpty", err)
	}
}

func TestRun_RefusesBadOptionsBeforeWorking(t *testing.T) {
	in, _ := blobInput(t, 30, 2)
	cases := map[string]func(*Options){
		"one neighbour":           func(o *Options) { o.NNeighbors = []int{1} },
		"no neighbours":           func(o *Options) { o.NNeighbors = nil },
		"min distance above 1":    func(o *Options) { o.MinDist = []float64{0.1, 2} },
		"a min distance twice":    func(o *Options) { o.MinDist = []float64{0.1, 0.1} },
		"too many UMAP layouts":   func(o *Options) { o.NNeighbors = []int{5, 10, 15, 20}; o.MinDist = []float64{0.1, 0.5, 0.9} },
		"cluster on what":         func(o *Options) { o.ClusterOn = "tsne" },
		"lod not above cell":      func(o *Options) { o.LODSize = 32 },
		"atlas side":              func(o *Options) { o.AtlasSize = 3000 },
		"cells too big for sheet": func(o *Options) { o.AtlasSize = 512; o.LODSize = 128 },
		"min cluster size one":    func(o *Options) { o.MinClusterSize = 1 },
	}
	for name, change := range cases {
		opts := fastOptions()
		change(&opts)
		if _, err := Run(context.Background(), in, opts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	bad := in
	bad.Vectors = bad.Vectors[:len(bad.Vectors)-1]
	if _, err := Run(context.Background(), bad, fastOptions()); err == nil {
		t.Error("short vectors: no error")
	}
	bad = in
	bad.Images = slices.Clone(in.Images)
	bad.Images[4].Width = 0
	if _, err := Run(context.Background(), bad, fastOptions()); err == nil || !strings.Contains(err.Error(), fmt.Sprint(in.Images[4].ID)) {
		t.Errorf("image without a size: err = %v, want one naming image %d", err, in.Images[4].ID)
	}
	unlabelled := in
	unlabelled.Images = slices.Clone(in.Images)
	for i := range unlabelled.Images {
		unlabelled.Images[i].Label = ""
	}
	opts := fastOptions()
	opts.Supervised = true
	if _, err := Run(context.Background(), unlabelled, opts); err == nil || !strings.Contains(err.Error(), "label") {
		t.Errorf("supervised without labels: err = %v", err)
	}
}

func TestRun_SupervisedAndPCAClusteringAndNoLODTier(t *testing.T) {
	in, _ := blobInput(t, 120, 3)
	opts := fastOptions()
	opts.Supervised = true
	opts.ClusterOn = ClusterOnPCA
	opts.LODSize = 0
	opts.CellSize = 48 // from the lod thumbnails
	opts.MaxHotspots = 2
	res, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tiers) != 1 || res.Tiers[0].Height != 48 {
		t.Fatalf("tiers %+v, want one of 48 px", res.Tiers)
	}
	if store := in.Thumbnails.(*thumbStore); store.calls[pixplot.ThumbCell] != 0 || store.calls[pixplot.ThumbLOD] == 0 {
		t.Fatalf("48 px cells read thumbnails %v, want lod only", store.calls)
	}
	if len(res.Hotspots) != 2 {
		t.Fatalf("%d hotspots, want the 2 largest", len(res.Hotspots))
	}
}

func TestRun_MissingThumbnailsAreWarnedAbout(t *testing.T) {
	in, _ := blobInput(t, 40, 2)
	store := in.Thumbnails.(*thumbStore)
	delete(store.thumbs[in.Images[7].ID], pixplot.ThumbLOD)
	res, err := Run(context.Background(), in, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], fmt.Sprint(in.Images[7].ID)) {
		t.Fatalf("warnings %v, want one naming image %d", res.Warnings, in.Images[7].ID)
	}
}

func TestRun_StopsWhenCancelled(t *testing.T) {
	in, _ := blobInput(t, 40, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, in, fastOptions()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestHotspotLabels_DominantCategoryElseTagElseNumber(t *testing.T) {
	img := func(cat string, tags ...string) Image { return Image{Category: cat, Tags: tags} }
	images := []Image{
		// 0-3: mostly maps
		img("maps", "old"), img("maps", "old"), img("maps"), img("coins", "old"),
		// 4-7: categories split, tag "gold" on 2 of 4
		img("coins", "gold"), img("seals", "gold"), img("maps"), img("prints"),
		// 8-11: nothing dominant
		img("coins"), img("seals"), img("prints"), img("maps"),
		// 12-13: maps again
		img("maps"), img("maps"),
	}
	plot := tallyAll(images)
	cases := []struct {
		members []int
		want    string
	}{
		{[]int{0, 1, 2, 3}, "maps"},
		{[]int{4, 5, 6, 7}, "gold"},
		{[]int{8, 9, 10, 11}, ""},
		{[]int{12, 13}, "maps"},
	}
	for _, c := range cases {
		if got := dominant(tally(images, c.members), plot); got != c.want {
			t.Errorf("members %v: label %q, want %q", c.members, got, c.want)
		}
	}
	// A category every image shares says nothing.
	same := []Image{img("maps", "a"), img("maps", "a"), img("maps", "b")}
	if got := dominant(tally(same, []int{0, 1}), tallyAll(same)); got != "a" {
		t.Errorf("shared category: label %q, want the tag a", got)
	}
	hs := []Hotspot{{ID: 1, Label: "maps"}, {ID: 2, Label: "Cluster 2"}, {ID: 3, Label: "maps"}}
	disambiguate(hs)
	if hs[2].Label != "maps (2)" || hs[0].Label != "maps" {
		t.Errorf("labels %q, %q", hs[0].Label, hs[2].Label)
	}
}

func TestRun_HandsSheetsOverAsTheyAreMade(t *testing.T) {
	in, _ := blobInput(t, 200, 3)
	kept, err := Run(context.Background(), in, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	opts := fastOptions()
	got := map[[2]int][]byte{}
	opts.OnSheet = func(tier int, s atlas.Sheet) error {
		got[[2]int{tier, s.Index}] = s.JPEG
		return nil
	}
	streamed, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	for k, tier := range kept.Tiers {
		for i, s := range tier.Sheets {
			if !bytes.Equal(got[[2]int{tier.Height, i}], s.JPEG) {
				t.Fatalf("tier %d sheet %d handed over differs from the one kept", tier.Height, i)
			}
			st := streamed.Tiers[k].Sheets[i]
			if st.JPEG != nil || st.Width != s.Width || st.Height != s.Height || st.Index != i {
				t.Fatalf("streamed result keeps sheet %+v", st)
			}
		}
	}
	if len(got) != len(kept.Tiers[0].Sheets)+len(kept.Tiers[1].Sheets) {
		t.Fatalf("%d sheets handed over", len(got))
	}
	boom := errors.New("disk full")
	opts.OnSheet = func(int, atlas.Sheet) error { return boom }
	if _, err := Run(context.Background(), in, opts); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the sink's", err)
	}
}

func TestRun_MakesAJitteredTwinAndAnAlignedUMAPLayoutPerFurtherParameters(t *testing.T) {
	const n = 300
	in, _ := blobInput(t, n, 4)
	single := fastOptions()
	single.NNeighbors, single.MinDist = []int{10}, []float64{0.01}
	opts := single
	opts.NNeighbors, opts.MinDist = []int{10, 5}, []float64{0.01, 0.5}
	var mu sync.Mutex
	var variantProgress Progress
	opts.Progress = func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Stage == StageVariants {
			variantProgress = p
		}
	}
	res, err := Run(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	variants := map[string]layout.Variant{}
	for _, l := range res.Layouts {
		names = append(names, l.Name)
		if l.Variant != nil {
			variants[l.Name] = *l.Variant
		}
	}
	want := []string{layout.UMAP, layout.Grid, layout.Categorical, layout.Date, layout.Geographic, layout.Custom, layout.UMAPJitter,
		"umap-n10-d0.5", "umap-n10-d0.5-jitter", "umap-n5-d0.01", "umap-n5-d0.01-jitter", "umap-n5-d0.5", "umap-n5-d0.5-jitter"}
	if !slices.Equal(names, want) {
		t.Fatalf("layouts %v, want %v", names, want)
	}
	v := func(k int, d float64, jitter bool) layout.Variant {
		return layout.Variant{NNeighbors: k, MinDist: d, Jitter: jitter}
	}
	wantVariants := map[string]layout.Variant{
		"umap": v(10, 0.01, false), "umap-jitter": v(10, 0.01, true),
		"umap-n10-d0.5": v(10, 0.5, false), "umap-n10-d0.5-jitter": v(10, 0.5, true),
		"umap-n5-d0.01": v(5, 0.01, false), "umap-n5-d0.01-jitter": v(5, 0.01, true),
		"umap-n5-d0.5": v(5, 0.5, false), "umap-n5-d0.5-jitter": v(5, 0.5, true),
	}
	if !maps.Equal(variants, wantVariants) {
		t.Fatalf("variants %v, want %v", variants, wantVariants)
	}
	var stages []string
	for _, tm := range res.Timings {
		stages = append(stages, tm.Stage)
	}
	if !slices.Contains(stages, StageVariants) || variantProgress.Total != 3*opts.Epochs || variantProgress.Done != variantProgress.Total {
		t.Errorf("stages %v, last variants progress %+v (want 3 × %d epochs)", stages, variantProgress, opts.Epochs)
	}

	main := res.Layout(layout.UMAP)
	for _, name := range want {
		l := res.Layout(name)
		if l.Variant == nil {
			continue
		}
		// Every UMAP layout starts from the umap layout: images keep
		// their place in the big picture, so switching animates calmly.
		r := layoutCorrelation(main, l)
		t.Logf("%s: correlation %.3f with umap", name, r)
		if r < 0.8 {
			t.Errorf("%s: correlation %.3f with the umap layout (want ≥ 0.8)", name, r)
		}
		if !l.Variant.Jitter {
			continue
		}
		// The jittered twin: no two images in the same place, each near
		// where it was.
		twin := res.Layout(strings.TrimSuffix(name, layout.JitterSuffix))
		seen := map[[2]float32]int{}
		var moved float64
		for i := range n {
			x, y := l.Point(i)
			if j, dup := seen[[2]float32{x, y}]; dup {
				t.Fatalf("%s: images %d and %d share the place (%g, %g)", name, j, i, x, y)
			}
			seen[[2]float32{x, y}] = i
			tx, ty := twin.Point(i)
			moved += math.Hypot(float64(x-tx), float64(y-ty)) / n
		}
		if moved > 0.02 {
			t.Errorf("%s: images moved %.4f on average from %s (want < 0.02 of the layout's ±1)", name, moved, twin.Name)
		}
	}

	// The umap layout is the one the first parameters alone make (the
	// shared kNN graph was built for its 10 neighbours, the most).
	alone, err := Run(context.Background(), in, single)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(alone.Layout(layout.UMAP).Positions, main.Positions) {
		t.Fatal("the umap layout differs from the one made without variants")
	}
	if alone.Layout("umap-n5-d0.5") != nil || alone.Layout(layout.UMAPJitter) == nil {
		t.Fatalf("one value each: layouts %v", alone.Layouts)
	}
}

// layoutCorrelation is the smaller of the two axes' Pearson correlations
// between two layouts of the same images.
func layoutCorrelation(a, b *layout.Layout) float64 {
	n := len(a.Positions) / 2
	worst := 1.0
	for axis := range 2 {
		var ma, mb float64
		for i := range n {
			ma += float64(a.Positions[2*i+axis]) / float64(n)
			mb += float64(b.Positions[2*i+axis]) / float64(n)
		}
		var sab, saa, sbb float64
		for i := range n {
			da, db := float64(a.Positions[2*i+axis])-ma, float64(b.Positions[2*i+axis])-mb
			sab, saa, sbb = sab+da*db, saa+da*da, sbb+db*db
		}
		worst = min(worst, sab/math.Sqrt(saa*sbb))
	}
	return worst
}
