package main

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// coverage counts the triangles of tri (indices into ring) that hold p strictly inside.
func coverage(ring []point, tri []int, p point) int {
	n := 0
	for k := 0; k+2 < len(tri); k += 3 {
		a, b, c := ring[tri[k]], ring[tri[k+1]], ring[tri[k+2]]
		if cross(a, b, p) > 0 && cross(b, c, p) > 0 && cross(c, a, p) > 0 {
			n++
		}
	}
	return n
}

func insideRing(ring []point, p point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func TestTriangulate_CoversConcaveRingsExactlyOnce(t *testing.T) {
	comb := []point{{0, 0}, {10, 0}, {10, 10}, {8, 10}, {8, 2}, {6, 2}, {6, 10}, {4, 10}, {4, 2}, {2, 2}, {2, 10}, {0, 10}}
	clockwise := []point{{0, 0}, {0, 4}, {1, 1}, {4, 0}}
	collinear := []point{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 3}, {3, 3}, {0, 3}, {0, 2}, {0, 1}}
	for name, ring := range map[string][]point{"comb": comb, "clockwise dart": clockwise, "collinear and repeated points": collinear} {
		tri := triangulate(ring)
		for y := 0.0613; y < 10; y += 0.1 { // off the diagonals, so no point lies on an edge
			for x := 0.0371; x < 10; x += 0.1 {
				p := point{x, y}
				want := 0
				if insideRing(ring, p) {
					want = 1
				}
				if got := coverage(ring, tri, p); got != want {
					t.Fatalf("%s: point %v is covered %d times, want %d (triangles %v)", name, p, got, want, tri)
				}
			}
		}
	}
}

// The committed base map's triangles cover each ring's area exactly.
func TestCommittedLandTrianglesMatchRings(t *testing.T) {
	b, err := os.ReadFile("../../web/data/land.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rings     [][]point `json:"rings"`
		Triangles [][]int   `json:"triangles"`
		Holes     []int     `json:"holes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Holes) == 0 || len(doc.Holes) > 10 {
		t.Errorf("%d holes; Natural Earth's 110m land has a few lakes", len(doc.Holes))
	}
	if len(doc.Triangles) != len(doc.Rings) {
		t.Fatalf("%d triangle lists for %d rings", len(doc.Triangles), len(doc.Rings))
	}
	for k, ring := range doc.Rings {
		tri := doc.Triangles[k]
		sum := 0.0
		for j := 0; j+2 < len(tri); j += 3 {
			a := cross(ring[tri[j]], ring[tri[j+1]], ring[tri[j+2]]) / 2
			if a < 0 {
				t.Errorf("ring %d: triangle %v is clockwise", k, tri[j:j+3])
			}
			sum += a
		}
		if want := math.Abs(area(ring)); math.Abs(sum-want) > 1e-9+1e-9*want {
			t.Errorf("ring %d (%d points): triangles cover %g, the ring %g", k, len(ring), sum, want)
		}
	}
}
