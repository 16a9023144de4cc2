package umap

import (
	"slices"
	"testing"
)

func TestHilbertIndex_VisitsEveryCellOnceThroughNeighbours(t *testing.T) {
	const side = 16
	cellAt := make([][2]int, side*side)
	seen := make([]bool, side*side)
	for x := range uint32(side) {
		for y := range uint32(side) {
			d := hilbertIndex(x, y, side)
			if d >= side*side || seen[d] {
				t.Fatalf("cell (%d, %d) has index %d, out of range or taken", x, y, d)
			}
			seen[d] = true
			cellAt[d] = [2]int{int(x), int(y)}
		}
	}
	for d := 1; d < side*side; d++ {
		a, b := cellAt[d-1], cellAt[d]
		if dx, dy := a[0]-b[0], a[1]-b[1]; dx*dx+dy*dy != 1 {
			t.Fatalf("steps %d→%d jump from %v to %v", d-1, d, a, b)
		}
	}
}

func TestRelabel_KeepsTheGraph(t *testing.T) {
	g := assemble(4, []entry{{0, 1, 0.5}, {1, 0, 0.5}, {2, 3, 1}, {3, 2, 1}, {0, 3, 0.25}, {3, 0, 0.25}}, nil)
	order := []int32{3, 1, 0, 2} // new k is old order[k]
	r := g.relabel(order)
	newID := map[int32]int32{3: 0, 1: 1, 0: 2, 2: 3}
	var want []entry
	for _, e := range g.entries() {
		want = append(want, entry{newID[e.row], newID[e.col], e.val})
	}
	got := r.entries()
	slices.SortFunc(want, func(a, b entry) int { return int(a.row-b.row)*8 + int(a.col-b.col) })
	if !slices.Equal(got, want) {
		t.Fatalf("relabelled %v, want %v", got, want)
	}
}
