package catalog

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPlotStorage measures, on 100,000 images with metadata, tags, an
// extra column and 768-dim vectors: Select for typical filters, PlotInput,
// and FinishPlot of a 100,000-image plot (two layouts, two atlas tiers).
//
//	go test -run '^$' -bench PlotStorage -benchtime 3x ./catalog
func BenchmarkPlotStorage(b *testing.B) {
	const n, dims = 100_000, 768
	c, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	m := testModel(b, c, 1, dims)
	r := newRand(7)
	start := time.Now()
	for first := 0; first < n; first += 2000 {
		var recs []ImageRecord
		for i := first; i < first+2000; i++ {
			img := testImage(i)
			img.Meta.Extra = map[string]string{"photographer": fmt.Sprint("p", i%50)}
			recs = append(recs, ImageRecord{Image: img, Vector: randomUnit(r, dims)})
		}
		putAll(b, c, m.ID, recs)
	}
	b.Logf("stored %d images in %v", n, time.Since(start).Round(time.Millisecond))
	for _, where := range []string{"", "year < 1950", "category = 'maps' AND year BETWEEN 1900 AND 1920",
		"has_tag('box3')", "photographer = 'p7'", "has_tag(tags, 'box3')"} {
		b.Run("select/"+where, func(b *testing.B) {
			var ids []int64
			for b.Loop() {
				if ids, err = c.Select(ctx, Filter{Where: where}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(ids)), "images")
		})
	}
	ids, _ := c.Select(ctx, Filter{})
	b.Run("plot-input", func(b *testing.B) {
		for b.Loop() {
			if in, err := c.PlotInput(ctx, m.ID, ids); err != nil || len(in.Images) != n {
				b.Fatal(err)
			}
		}
	})
	b.Run("finish-plot", func(b *testing.B) {
		result := testResult(ids, false)
		result.Hotspots = nil
		for i := range result.Tiers { // keep the cells inside the sheets
			for j := range result.Tiers[i].Cells {
				result.Tiers[i].Cells[j] = Cell{W: 1, H: 1}
			}
		}
		for i := 0; b.Loop(); i++ {
			id, _, err := c.BeginPlot(ctx, NewPlot{Name: "all", Params: i}, true)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.FinishPlot(ctx, id, result); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-plot", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.PlotImages(ctx, "all"); err != nil {
				b.Fatal(err)
			}
			if _, err := c.PlotLayout(ctx, "all", "umap"); err != nil {
				b.Fatal(err)
			}
			if _, err := c.PlotTier(ctx, "all", 32); err != nil {
				b.Fatal(err)
			}
		}
	})
}
