package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A square island (arc 0 then arc 1 reversed) with a lake (arc 2), and a
// triangle, quantized and delta-encoded as TopoJSON stores them.
const tinyTopology = `{
  "type": "Topology",
  "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
  "objects": {"land": {"type": "GeometryCollection", "geometries": [
    {"type": "Polygon", "arcs": [[0, -2], [2]]},
    {"type": "MultiPolygon", "arcs": [[[3]]]}
  ]}},
  "arcs": [
    [[0, 0], [40, 0], [0, 40]],
    [[0, 0], [0, 40], [40, 0]],
    [[10, 10], [4, 0], [0, 4], [-4, 0], [0, -4]],
    [[100, 100], [2, 0], [-2, 2], [0, -2]]
  ]
}`

func TestTopologyRings_DecodesDeltasTransformAndReversedArcs(t *testing.T) {
	topo, err := parseTopology([]byte(tinyTopology))
	if err != nil {
		t.Fatal(err)
	}
	got, err := topo.polygons("land")
	if err != nil {
		t.Fatal(err)
	}
	// x = q·0.5 − 10, y = q·0.25 + 20, positions summed along each arc
	want := [][][]point{
		{
			{{-10, 20}, {10, 20}, {10, 30}, {-10, 30}, {-10, 20}}, // arc 0, then arc 1 backwards without its first point
			{{-5, 22.5}, {-3, 22.5}, {-3, 23.5}, {-5, 23.5}, {-5, 22.5}},
		},
		{{{40, 45}, {41, 45}, {40, 45.5}, {40, 45}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rings =\n%v\nwant\n%v", got, want)
	}
}

func TestToFrame_DividesBy180RoundsAndDropsClosingPoint(t *testing.T) {
	cases := []struct{ in, want []point }{
		{[]point{{-180, 90}, {180, 90}, {180, -90}, {180, -90}, {-180, 90}}, []point{{-1, 0.5}, {1, 0.5}, {1, -0.5}}},
		{[]point{{20, 5}, {20.00001, 5}, {20, 5.00001}}, nil}, // collapses to one point
		{[]point{{0, -0.000001}, {18, 0}, {0, 18}}, []point{{0, 0}, {0.1, 0}, {0, 0.1}}},
	}
	for _, c := range cases {
		if got := toFrame(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("toFrame(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestLayer_PaintsLargestPolygonsFirstEachWithItsHoles(t *testing.T) {
	square := func(x0, y0, side float64) []point {
		return []point{{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}}
	}
	island := [][]point{square(3, 3, 1)}                     // in the lake
	continent := [][]point{square(0, 0, 9), square(2, 2, 4)} // with a lake
	rings := layer([][][]point{island, continent})
	var order []string
	for _, r := range rings {
		order = append(order, fmt.Sprintf("%v hole=%v", r.points[0], r.hole))
		if cover := math.Abs(area(r.points)); len(r.triangles) != 6 || math.Abs(cover-r.triangleArea()) > 1e-12 {
			t.Errorf("ring %v: triangles %v do not cover it", r.points, r.triangles)
		}
	}
	want := []string{"[0 0] hole=false", "[0.0111 0.0111] hole=true", "[0.0167 0.0167] hole=false"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("painting order %v, want %v", order, want)
	}
	var decoded struct {
		Source    string    `json:"source"`
		Rings     [][]point `json:"rings"`
		Triangles [][]int   `json:"triangles"`
		Holes     []int     `json:"holes"`
	}
	b := encode(rings)
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatalf("encode wrote invalid JSON: %v\n%s", err, b)
	}
	if len(decoded.Rings) != 3 || len(decoded.Triangles) != 3 || !reflect.DeepEqual(decoded.Holes, []int{1}) || !strings.Contains(decoded.Source, "Natural Earth") {
		t.Errorf("encode round trip = %+v", decoded)
	}
}

func TestTopologyRings_ErrorsNameTheProblem(t *testing.T) {
	cases := map[string]string{
		`{"type": "FeatureCollection"}`: `type "FeatureCollection"`,
		`{"type": "Topology", "objects": {"land": {"type": "Polygon", "arcs": [[7]]}}, "arcs": [[[0, 0]]]}`:      "arc index 7: the topology has 1 arcs",
		`{"type": "Topology", "objects": {"land": {"type": "LineString", "arcs": [0]}}, "arcs": [[[0, 0]]]}`:     `geometry type "LineString"`,
		`{"type": "Topology", "objects": {"countries": {"type": "Polygon", "arcs": []}}, "arcs": []}`:            `no object "land" (have [countries])`,
		`{"type": "Topology", "objects": {"land": {"type": "Polygon", "arcs": [[0]]}}, "arcs": [[[0, 0], [1]]]}`: "arc 0, position 1: 1 numbers",
	}
	for doc, want := range cases {
		topo, err := parseTopology([]byte(doc))
		if err == nil {
			_, err = topo.polygons("land")
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to say %q", doc, err, want)
		}
	}
}

func TestRun_WritesFramedRings(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "land.topo.json"), filepath.Join(dir, "land.json")
	if err := os.WriteFile(in, []byte(tinyTopology), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out, "land"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rings [][]point
		Holes []int
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Rings) != 3 || doc.Rings[0][1] != (point{0.0556, 0.1111}) || !reflect.DeepEqual(doc.Holes, []int{1}) {
		t.Errorf("rings = %v, holes %v; want 3 with the second point of the first at (10/180, 20/180), the second a hole", doc.Rings, doc.Holes)
	}
}

func TestSplitAtAntimeridian_CutsCrossingRingsAndClosesPolarOnes(t *testing.T) {
	plain := []point{{10, 10}, {20, 10}, {20, 20}}
	if got := splitAtAntimeridian(plain); !reflect.DeepEqual(got, [][]point{plain}) {
		t.Errorf("a ring away from the antimeridian became %v", got)
	}
	// an island from 178°E to 178°W: a part on each side of the map
	island := splitAtAntimeridian([]point{{178, -16}, {-178, -16}, {-178, -18}, {178, -18}})
	if len(island) != 2 {
		t.Fatalf("island crossing the antimeridian split into %d rings, want 2: %v", len(island), island)
	}
	for _, part := range island {
		lo, hi := 180.0, -180.0
		for _, p := range part {
			lo, hi = min(lo, p[0]), max(hi, p[0])
		}
		if !(lo == 178 && hi == 180) && !(lo == -180 && hi == -178) {
			t.Errorf("part %v spans lng %v … %v, want 178 … 180 or -180 … -178", part, lo, hi)
		}
		if a := math.Abs(area(part)); math.Abs(a-4) > 1e-9 {
			t.Errorf("part %v has area %v, want 4 (2° × 2°)", part, a)
		}
	}
	// a ring round the south pole is closed along lat -90 across the whole map
	polar := splitAtAntimeridian([]point{{-180, -80}, {-60, -70}, {60, -70}, {179, -80}})
	if len(polar) != 1 {
		t.Fatalf("polar ring became %d rings: %v", len(polar), polar)
	}
	hasCorner := func(x, y float64) bool { return slices.Contains(polar[0], point{x, y}) }
	if !hasCorner(180, -90) || !hasCorner(-180, -90) {
		t.Errorf("polar ring %v is not closed along the pole's edge", polar[0])
	}
}
