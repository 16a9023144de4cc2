package plot

import (
	"fmt"
	"slices"

	"github.com/pixplot/pixplot/plot/hdbscan"
	"github.com/pixplot/pixplot/plot/layout"
)

// Hotspot labels: a category names a hotspot when at least CategoryShare of
// its members have it, otherwise a tag does when at least TagShare of them
// have it; either must also be commoner in the hotspot than in the whole
// plot (a category every image shares says nothing).
const (
	CategoryShare = 0.5
	TagShare      = 0.25
)

// makeHotspots turns HDBSCAN clusters (numbered by decreasing size) into
// hotspots, keeping the largest maxHotspots (all when 0). Noise belongs to
// none.
func makeHotspots(res *hdbscan.Result, exemplars [][]int, images []Image, umap *layout.Layout, maxHotspots int) []Hotspot {
	count := res.NumClusters()
	if maxHotspots > 0 {
		count = min(count, maxHotspots)
	}
	members := make([][]int, count)
	for i, c := range res.Labels {
		if c >= 0 && c < count {
			members[c] = append(members[c], i)
		}
	}
	plot := tallyAll(images)
	hs := make([]Hotspot, count)
	for c := range count {
		h := Hotspot{ID: c + 1, Size: len(members[c]), Members: members[c]}
		var sx, sy float64
		for _, i := range members[c] {
			x, y := umap.Point(i)
			sx, sy = sx+float64(x), sy+float64(y)
		}
		h.Centroid = [2]float32{float32(sx / float64(h.Size)), float32(sy / float64(h.Size))}
		for _, i := range exemplars[c] {
			h.Exemplars = append(h.Exemplars, images[i].ID)
		}
		h.Label = dominant(tally(images, members[c]), plot)
		if h.Label == "" {
			h.Label = fmt.Sprintf("Cluster %d", h.ID)
		}
		hs[c] = h
	}
	disambiguate(hs)
	return hs
}

// counts is how many images have each category and each tag.
type counts struct {
	images     int
	categories map[string]int
	tags       map[string]int
}

// tally counts the categories and tags of the images at members.
func tally(images []Image, members []int) counts {
	c := counts{categories: map[string]int{}, tags: map[string]int{}}
	for _, i := range members {
		c.add(images[i])
	}
	return c
}

// tallyAll counts the categories and tags of all images.
func tallyAll(images []Image) counts {
	c := counts{categories: map[string]int{}, tags: map[string]int{}}
	for _, img := range images {
		c.add(img)
	}
	return c
}

func (c *counts) add(img Image) {
	c.images++
	if img.Category != "" {
		c.categories[img.Category]++
	}
	for _, t := range slices.Compact(slices.Sorted(slices.Values(img.Tags))) {
		if t != "" {
			c.tags[t]++
		}
	}
}

// dominant is the hotspot's dominant category, else its dominant tag, else "".
func dominant(in, plot counts) string {
	if name := top(in.categories, in.images, plot.categories, plot.images, CategoryShare); name != "" {
		return name
	}
	return top(in.tags, in.images, plot.tags, plot.images, TagShare)
}

// top is the most frequent name in a hotspot (ties by name) if it covers at
// least share of it and a larger share than of the plot; else "".
func top(in map[string]int, size int, plot map[string]int, plotSize int, share float64) string {
	best, bestCount := "", 0
	for name, k := range in {
		if k > bestCount || k == bestCount && name < best {
			best, bestCount = name, k
		}
	}
	if best == "" {
		return ""
	}
	inShare := float64(bestCount) / float64(size)
	plotShare := float64(plot[best]) / float64(plotSize)
	if inShare < share || inShare <= plotShare {
		return ""
	}
	return best
}

// disambiguate numbers repeated labels: "maps", "maps (2)", …
func disambiguate(hs []Hotspot) {
	seen := map[string]int{}
	for i := range hs {
		seen[hs[i].Label]++
		if k := seen[hs[i].Label]; k > 1 {
			hs[i].Label = fmt.Sprintf("%s (%d)", hs[i].Label, k)
		}
	}
}
