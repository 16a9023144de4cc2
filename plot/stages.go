package plot

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/plot/atlas"
	"github.com/pixplot/pixplot/plot/hdbscan"
	"github.com/pixplot/pixplot/plot/internal/rng"
	"github.com/pixplot/pixplot/plot/layout"
	"github.com/pixplot/pixplot/plot/pca"
	"github.com/pixplot/pixplot/plot/pointgrid"
	"github.com/pixplot/pixplot/plot/umap"
)

// reduce projects the embeddings on their leading principal components, as
// PixPlot did before UMAP (to 100): neighbours in a few dozen dimensions are
// found faster and are less noisy than in hundreds. Selections of no more
// images than components are left as they are: their PCA would keep every
// dimension they span.
func (r *run) reduce(context.Context) error {
	r.reduced, r.dim = r.in.Vectors, r.in.Dim
	components := r.opts.PCADims
	if components == 0 || components >= r.in.Dim || len(r.in.Images) <= components {
		return nil
	}
	r.clock.enter(StagePCA)
	r.progress(StagePCA, 0, 1)
	out, _, err := pca.Reduce(r.in.Vectors, r.in.Dim, components, pca.Options{Threads: r.opts.Threads})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	r.reduced, r.dim = out, components
	r.progress(StagePCA, 1, 1)
	return nil
}

// embed builds the kNN graph (for the most neighbours any UMAP layout
// asks for: one graph serves them all) and runs UMAP with the first
// parameters, making the umap layout.
func (r *run) embed(context.Context) error {
	first := r.variants[0]
	r.clock.enter(StageKNN)
	most := r.umapOptions(first, nil)
	most.NNeighbors = slices.Max(r.opts.NNeighbors)
	most.Progress = func(stage string, done, total int) {
		if stage == umap.StageNeighbours {
			r.progress(StageKNN, done, total)
		}
	}
	graph, err := umap.Neighbours(r.reduced, r.dim, most)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	r.graph = graph
	r.clock.enter(StageUMAP)
	xy, err := umap.Embed(r.reduced, r.dim, r.umapOptions(first, func(done, total int) {
		r.progress(StageUMAP, done, total)
	}))
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	r.embedded = flatten(xy)
	l, err := layout.Scatter(layout.UMAP, r.embedded)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	l.Variant = &first
	r.res.Layouts = append(r.res.Layouts, l)
	return nil
}

// umapOptions are the UMAP options of one variant, on the shared kNN
// graph; epochs, if not nil, sees the optimisation's progress.
func (r *run) umapOptions(v layout.Variant, epochs func(done, total int)) umap.Options {
	var labels []int
	if r.opts.Supervised {
		labels = classes(r.in.Images)
	}
	minDist := v.MinDist
	if minDist == 0 {
		minDist = 1e-6 // umap reads 0 as "its default"
	}
	return umap.Options{
		NNeighbors: v.NNeighbors,
		MinDist:    minDist,
		Metric:     r.opts.Metric,
		NEpochs:    r.opts.Epochs,
		Seed:       r.opts.Seed,
		Labels:     labels,
		Threads:    r.opts.Threads,
		Graph:      r.graph,
		Progress: func(stage string, done, total int) {
			if stage == umap.StageLayout && epochs != nil {
				epochs(done, total)
			}
		},
	}
}

func flatten(xy [][2]float32) []float32 {
	flat := make([]float32, 0, 2*len(xy))
	for _, p := range xy {
		flat = append(flat, p[0], p[1])
	}
	return flat
}

// classes numbers the images' labels (in sorted order) for supervised
// UMAP; images without one are -1, unknown.
func classes(images []Image) []int {
	var names []string
	for _, img := range images {
		if img.Label != "" {
			names = append(names, img.Label)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	out := make([]int, len(images))
	for i, img := range images {
		out[i] = -1
		if img.Label != "" {
			out[i], _ = slices.BinarySearch(names, img.Label)
		}
	}
	return out
}

// cluster finds the hotspots with HDBSCAN.
func (r *run) cluster(context.Context) error {
	r.clock.enter(StageClustering)
	r.progress(StageClustering, 0, 1)
	data, dim := r.umap().Positions, 2
	if r.opts.ClusterOn == ClusterOnPCA {
		data, dim = r.reduced, r.dim
	}
	n := len(r.in.Images)
	res, err := hdbscan.Cluster(data, dim, hdbscan.Options{MinClusterSize: r.opts.clusterMinSize(n)})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	exemplars, err := hdbscan.Exemplars(data, dim, res, Exemplars)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	r.res.Hotspots = makeHotspots(res, exemplars, r.in.Images, r.umap(), r.opts.MaxHotspots)
	r.progress(StageClustering, 1, 1)
	return nil
}

// arrange makes the layouts beyond umap; those the metadata do not support
// are left out.
func (r *run) arrange(context.Context) error {
	r.clock.enter(StageLayouts)
	n := len(r.in.Images)
	sim := r.umap().Positions
	categories := make([]string, n)
	years := make([]*int, n)
	lat, lng, x, y := make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n)
	for i, img := range r.in.Images {
		categories[i], years[i] = img.Category, img.Year
		lat[i], lng[i], x[i], y[i] = img.Lat, img.Lng, img.X, img.Y
	}
	builders := []func() (layout.Layout, bool, error){
		func() (layout.Layout, bool, error) { l, err := layout.SimilarityGrid(sim); return l, true, err },
		func() (layout.Layout, bool, error) { return layout.ByCategory(categories, sim) },
		func() (layout.Layout, bool, error) { return layout.ByYear(years, sim) },
		func() (layout.Layout, bool, error) { return layout.ByLocation(lat, lng) },
		func() (layout.Layout, bool, error) { return layout.ByXY(x, y) },
		func() (layout.Layout, bool, error) { l, err := r.jittered(r.umap(), 0); return l, true, err },
	}
	for k, build := range builders {
		r.progress(StageLayouts, k, len(builders))
		l, ok, err := build()
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		if ok {
			r.res.Layouts = append(r.res.Layouts, l)
		}
	}
	r.progress(StageLayouts, len(builders), len(builders))
	return nil
}

// jittered returns the twin of UMAP layout l (the k-th variant) with its
// points snapped to a grid, PixPlot's "jittered" layout: pointgrid with
// PixPlot's fill, a hundred grid nodes per image, so points move by about
// a node spacing while no two overlap exactly.
func (r *run) jittered(l *layout.Layout, k int) (layout.Layout, error) {
	xy, _, err := pointgrid.Align(l.Positions, pointgrid.Options{Fill: pointgrid.DefaultFill, Seed: rng.Hash(r.opts.Seed, uint64(k), 0)})
	if err != nil {
		return layout.Layout{}, fmt.Errorf("plot: %s: %w", l.Name, err)
	}
	name := l.Name + layout.JitterSuffix
	twin, err := layout.Scatter(name, xy)
	if err != nil {
		return layout.Layout{}, fmt.Errorf("plot: %w", err)
	}
	v := *l.Variant
	v.Jitter = true
	twin.Variant = &v
	return twin, nil
}

// vary makes the UMAP layouts of the parameter combinations after the
// first, each with its jittered twin. PixPlot fitted them together with
// umap-learn's AlignedUMAP, which ties each image's positions across
// layouts so that switching between them animates smoothly. Here each
// starts from the umap layout (umap-learn's init=array) on the shared kNN
// graph and is then rotated onto it (least squares), which lines the
// layouts up as well for animating, at the cost of one UMAP optimisation
// each and no cross-layout term.
func (r *run) vary(ctx context.Context) error {
	defer func() { r.graph, r.embedded = nil, nil }()
	more := r.variants[1:]
	if len(more) == 0 {
		return nil
	}
	r.clock.enter(StageVariants)
	for k, v := range more {
		if err := ctx.Err(); err != nil {
			return err
		}
		opts := r.umapOptions(v, func(done, total int) {
			r.progress(StageVariants, k*total+done, len(more)*total)
		})
		opts.Initial = r.embedded
		xy, err := umap.Embed(r.reduced, r.dim, opts)
		if err != nil {
			return fmt.Errorf("plot: UMAP n_neighbors %d, min_distance %g: %w", v.NNeighbors, v.MinDist, err)
		}
		flat := flatten(xy)
		rotateOnto(flat, r.embedded)
		l, err := layout.Scatter(layout.UMAPVariantName(v.NNeighbors, v.MinDist), flat)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		l.Variant = &v
		twin, err := r.jittered(&l, k+1)
		if err != nil {
			return err
		}
		r.res.Layouts = append(r.res.Layouts, l, twin)
	}
	return nil
}

// rotateOnto rotates the points xy about their centroid by the angle that
// lays them best (least squares) over ref, the same points elsewhere.
func rotateOnto(xy, ref []float32) {
	n := len(xy) / 2
	var ax, ay, rx, ry float64
	for i := range n {
		ax, ay = ax+float64(xy[2*i]), ay+float64(xy[2*i+1])
		rx, ry = rx+float64(ref[2*i]), ry+float64(ref[2*i+1])
	}
	ax, ay, rx, ry = ax/float64(n), ay/float64(n), rx/float64(n), ry/float64(n)
	var dot, cross float64 // Σ a·r and Σ a×r of the centred points
	for i := range n {
		px, py := float64(xy[2*i])-ax, float64(xy[2*i+1])-ay
		qx, qy := float64(ref[2*i])-rx, float64(ref[2*i+1])-ry
		dot += px*qx + py*qy
		cross += px*qy - py*qx
	}
	sin, cos := math.Sincos(math.Atan2(cross, dot))
	for i := range n {
		px, py := float64(xy[2*i])-ax, float64(xy[2*i+1])-ay
		xy[2*i], xy[2*i+1] = float32(ax+cos*px-sin*py), float32(ay+sin*px+cos*py)
	}
}

// tier is one atlas resolution and the stored thumbnail it is drawn from.
type tier struct {
	height int
	thumb  string
}

// tiers are the cell tier and, unless turned off, the zoomed-in one. Cells
// up to the stored cell thumbnails' height come from those, larger ones
// from the lod thumbnails (scaled up beyond their height).
func (o Options) tiers() []tier {
	from := func(h int) string {
		if h <= pixplot.CellHeight {
			return pixplot.ThumbCell
		}
		return pixplot.ThumbLOD
	}
	t := []tier{{o.CellSize, from(o.CellSize)}}
	if o.LODSize > 0 {
		t = append(t, tier{o.LODSize, from(o.LODSize)})
	}
	return t
}

// pack renders every tier's atlases. Images are packed in a Hilbert-curve
// order of the umap layout, so that a zoomed-in region needs few sheets of
// the zoomed-in tier (and the grid layout, which keeps umap neighbourhoods,
// benefits alike).
func (r *run) pack(ctx context.Context) error {
	r.clock.enter(StageAtlases)
	n := len(r.in.Images)
	order := atlas.SpatialOrder(r.umap().Positions)
	sizes := make([][2]int, n)
	for i, img := range r.in.Images {
		sizes[i] = [2]int{img.Width, img.Height}
	}
	tiers := r.opts.tiers()
	total := n * len(tiers)
	for k, t := range tiers {
		p, err := atlas.Pack(sizes, order, t.height, r.opts.AtlasSize)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		src := func(ctx context.Context, images []int) ([][]byte, error) {
			ids := make([]int64, len(images))
			for j, i := range images {
				ids[j] = r.in.Images[i].ID
			}
			return r.in.Thumbnails.ThumbnailJPEGs(ctx, t.thumb, ids)
		}
		sheets := make([]atlas.Sheet, p.Sheets())
		opts := atlas.RenderOptions{Workers: r.opts.Threads, Progress: func(done, _ int) {
			r.progress(StageAtlases, k*n+done, total)
		}}
		missing, err := atlas.Render(ctx, p, src, opts, func(s atlas.Sheet) error {
			if r.opts.OnSheet == nil {
				sheets[s.Index] = s
				return nil
			}
			sheets[s.Index] = atlas.Sheet{Index: s.Index, Width: s.Width, Height: s.Height}
			return r.opts.OnSheet(t.height, s)
		})
		if err != nil {
			return fmt.Errorf("plot: %d px atlases: %w", t.height, err)
		}
		if len(missing) > 0 {
			r.warn("%d of %d images have no usable %s thumbnail; their %d px cells are grey (first: image %d)",
				len(missing), n, t.thumb, t.height, r.in.Images[missing[0]].ID)
		}
		r.res.Tiers = append(r.res.Tiers, Tier{Height: t.height, Side: p.Side, Cells: p.Cells, Sheets: sheets})
	}
	return nil
}
