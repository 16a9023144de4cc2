// Command landgen writes the viewer's geographic base map,
// viewer/web/data/land.json, from a TopoJSON land topology: every ring of
// the land polygons as [x, y] points in the geographic layout's fixed frame
// (x = lng/180, y = lat/180; see plot/layout/geo.go), rounded to 4 decimals,
// with the triangles (index triples) that cover each ring once, and which
// rings are holes (lakes). Rings are in painting order: polygons largest
// first, each followed by its holes, so the viewer fills them all in one
// draw call with holes in the background colour. world-atlas keeps rings
// whole across the antimeridian (d3-geo cuts them when projecting); this
// flat map cuts them itself, and closes a ring around a pole (Antarctica)
// along the map's edge.
//
// Source: Natural Earth 1:110m land (public domain, naturalearthdata.com),
// as land-110m.json in the npm package world-atlas@2.0.2 (ISC licence,
// © Michael Bostock). `make viewer-data` fetches the pinned package and runs
// this; the output is committed so the viewer needs no build step.
//
//	go run ./viewer/internal/landgen -in land-110m.json -out viewer/web/data/land.json
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
)

// source names the data in the output file.
const source = "Natural Earth 1:110m land (public domain) via world-atlas 2.0.2 (ISC); x = lng/180, y = lat/180"

func main() {
	in := flag.String("in", "", "TopoJSON topology (world-atlas land-110m.json)")
	out := flag.String("out", "viewer/web/data/land.json", "output file")
	object := flag.String("object", "land", "the topology's object to convert")
	flag.Parse()
	if err := run(*in, *out, *object); err != nil {
		fmt.Fprintln(os.Stderr, "landgen:", err)
		os.Exit(1)
	}
}

func run(in, out, object string) error {
	if in == "" {
		return errors.New("-in is required")
	}
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	topo, err := parseTopology(b)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	polygons, err := topo.polygons(object)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	rings := layer(polygons)
	if err := os.WriteFile(out, encode(rings), 0o644); err != nil {
		return err
	}
	n, holes := 0, 0
	for _, r := range rings {
		n += len(r.points)
		if r.hole {
			holes++
		}
	}
	fmt.Printf("%s: %d rings (%d holes), %d points\n", out, len(rings), holes, n)
	return nil
}

// landRing is one ring of the output, in the viewer's frame.
type landRing struct {
	points    []point
	hole      bool  // a lake: painted in the background colour over its land
	triangles []int // index triples into points that cover the ring once
}

// layer cuts the polygons (lng/lat rings, the first one outside, the rest
// holes) at the antimeridian, moves them into the frame, triangulates them
// and orders them for painting: polygons by area, largest first, each
// followed by its holes, so a lake covers its land and an island in a lake
// (a smaller polygon) covers the lake.
func layer(polygons [][][]point) []landRing {
	type piece struct {
		rings []landRing
		area  float64
	}
	var pieces []piece
	for _, polygon := range polygons {
		var p piece
		for k, ring := range polygon {
			for _, part := range splitAtAntimeridian(ring) {
				r := toFrame(part)
				if r == nil {
					continue
				}
				if k == 0 {
					p.area += math.Abs(area(r))
				}
				p.rings = append(p.rings, landRing{points: r, hole: k > 0, triangles: triangulate(r)})
			}
		}
		pieces = append(pieces, p)
	}
	slices.SortStableFunc(pieces, func(a, b piece) int { return cmp.Compare(b.area, a.area) })
	var out []landRing
	for _, p := range pieces {
		out = append(out, p.rings...)
	}
	return out
}

// topology is the part of a TopoJSON document landgen reads.
type topology struct {
	Type      string                     `json:"type"`
	Transform *transform                 `json:"transform"`
	Arcs      [][][]float64              `json:"arcs"`
	Objects   map[string]json.RawMessage `json:"objects"`
}

// transform turns quantized, delta-encoded arc positions into coordinates.
type transform struct {
	Scale     [2]float64 `json:"scale"`
	Translate [2]float64 `json:"translate"`
}

type geometry struct {
	Type       string          `json:"type"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []geometry      `json:"geometries"`
}

type point = [2]float64

func parseTopology(b []byte) (*topology, error) {
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("not a TopoJSON topology: %w", err)
	}
	if t.Type != "Topology" {
		return nil, fmt.Errorf("type %q, want \"Topology\"", t.Type)
	}
	for i, arc := range t.Arcs {
		for j, p := range arc {
			if len(p) < 2 {
				return nil, fmt.Errorf("arc %d, position %d: %d numbers, want 2", i, j, len(p))
			}
		}
	}
	return &t, nil
}

// polygons returns every polygon of the named object as its rings in
// lng/lat, the outer ring first.
func (t *topology) polygons(object string) ([][][]point, error) {
	raw, ok := t.Objects[object]
	if !ok {
		return nil, fmt.Errorf("no object %q (have %v)", object, slices.Sorted(maps.Keys(t.Objects)))
	}
	var g geometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("object %q: %w", object, err)
	}
	var out [][][]point
	if err := t.collect(g, &out); err != nil {
		return nil, fmt.Errorf("object %q: %w", object, err)
	}
	return out, nil
}

func (t *topology) collect(g geometry, out *[][][]point) error {
	switch g.Type {
	case "GeometryCollection":
		for _, c := range g.Geometries {
			if err := t.collect(c, out); err != nil {
				return err
			}
		}
		return nil
	case "Polygon":
		var polygon [][]int
		if err := json.Unmarshal(g.Arcs, &polygon); err != nil {
			return fmt.Errorf("Polygon arcs: %w", err)
		}
		return t.addPolygon(polygon, out)
	case "MultiPolygon":
		var polygons [][][]int
		if err := json.Unmarshal(g.Arcs, &polygons); err != nil {
			return fmt.Errorf("MultiPolygon arcs: %w", err)
		}
		for _, polygon := range polygons {
			if err := t.addPolygon(polygon, out); err != nil {
				return err
			}
		}
		return nil
	case "", "null":
		return nil // a feature without geometry
	default:
		return fmt.Errorf("geometry type %q: want Polygon, MultiPolygon or GeometryCollection", g.Type)
	}
}

func (t *topology) addPolygon(polygon [][]int, out *[][][]point) error {
	var rings [][]point
	for _, arcs := range polygon {
		ring, err := t.ring(arcs)
		if err != nil {
			return err
		}
		rings = append(rings, ring)
	}
	if len(rings) > 0 {
		*out = append(*out, rings)
	}
	return nil
}

// ring joins arcs into one ring. A negative index ~i is arc i reversed;
// each arc after the first starts where the previous one ended, so its
// first point is dropped.
func (t *topology) ring(arcs []int) ([]point, error) {
	var out []point
	for k, a := range arcs {
		pts, err := t.arc(a)
		if err != nil {
			return nil, err
		}
		if k > 0 && len(pts) > 0 {
			pts = pts[1:]
		}
		out = append(out, pts...)
	}
	return out, nil
}

// arc decodes arc index a (TopoJSON: ~i = arc i reversed).
func (t *topology) arc(a int) ([]point, error) {
	i := a
	if a < 0 {
		i = ^a
	}
	if i >= len(t.Arcs) {
		return nil, fmt.Errorf("arc index %d: the topology has %d arcs", a, len(t.Arcs))
	}
	src := t.Arcs[i]
	pts := make([]point, len(src))
	var x, y float64
	for j, p := range src {
		if t.Transform == nil {
			pts[j] = point{p[0], p[1]}
			continue
		}
		x, y = x+p[0], y+p[1] // quantized arcs are delta-encoded
		pts[j] = point{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
	}
	if a < 0 {
		slices.Reverse(pts)
	}
	return pts, nil
}

// splitAtAntimeridian returns a lng/lat ring as rings within
// lng -180 … 180. A ring that crosses the antimeridian (Fiji, Chukotka) is
// unwrapped into continuous longitudes and cut into its parts on either
// side; a ring that goes round a pole (Antarctica) is closed along the pole.
func splitAtAntimeridian(ring []point) [][]point {
	n := len(ring)
	if n < 3 {
		return nil
	}
	step := func(from, to float64) float64 { // the short way from one longitude to the next
		d := to - from
		for d > 180 {
			d -= 360
		}
		for d < -180 {
			d += 360
		}
		return d
	}
	u := make([]point, n)
	u[0] = ring[0]
	crossed := false
	for i := 1; i < n; i++ {
		d := step(ring[i-1][0], ring[i][0])
		crossed = crossed || math.Abs(ring[i][0]-ring[i-1][0]) > 180
		u[i] = point{u[i-1][0] + d, ring[i][1]}
	}
	if !crossed && math.Abs(ring[0][0]-ring[n-1][0]) <= 180 {
		return [][]point{ring}
	}
	if wrap := u[n-1][0] + step(ring[n-1][0], ring[0][0]) - u[0][0]; math.Abs(wrap) > 180 {
		pole := -90.0
		if meanLat(ring) > 0 {
			pole = 90
		}
		end := u[0][0] + wrap
		u = append(u, point{end, ring[0][1]}, point{end, pole}, point{u[0][0], pole})
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range u {
		lo, hi = math.Min(lo, p[0]), math.Max(hi, p[0])
	}
	var out [][]point
	for shift := -360.0; shift <= 360; shift += 360 {
		if hi+shift <= -180 || lo+shift >= 180 {
			continue
		}
		moved := make([]point, len(u))
		for i, p := range u {
			moved[i] = point{p[0] + shift, p[1]}
		}
		part := clipX(clipX(moved, -180, 1), 180, -1)
		if len(part) >= 3 && math.Abs(area(part)) > 1e-9 {
			out = append(out, part)
		}
	}
	return out
}

// clipX keeps the part of a ring where side·(x − at) ≥ 0
// (Sutherland–Hodgman against one vertical line).
func clipX(ring []point, at, side float64) []point {
	var out []point
	in := func(p point) bool { return side*(p[0]-at) >= 0 }
	for i, cur := range ring {
		prev := ring[(i+len(ring)-1)%len(ring)]
		if in(cur) != in(prev) {
			t := (at - prev[0]) / (cur[0] - prev[0])
			out = append(out, point{at, prev[1] + t*(cur[1]-prev[1])})
		}
		if in(cur) {
			out = append(out, cur)
		}
	}
	return out
}

func area(ring []point) float64 {
	a := 0.0
	for i, p := range ring {
		q := ring[(i+1)%len(ring)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a / 2
}

func meanLat(ring []point) float64 {
	s := 0.0
	for _, p := range ring {
		s += p[1]
	}
	return s / float64(len(ring))
}

// toFrame maps a lng/lat ring to the viewer's frame, rounded to 4 decimals
// (about 2 km), dropping repeated points and the closing point; nil when
// fewer than 3 points are left.
func toFrame(ring []point) []point {
	var r []point
	for _, p := range ring {
		q := point{round4(p[0] / 180), round4(p[1] / 180)}
		if len(r) > 0 && r[len(r)-1] == q {
			continue
		}
		r = append(r, q)
	}
	if len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	if len(r) < 3 {
		return nil
	}
	return r
}

func round4(v float64) float64 {
	r := math.Round(v*1e4) / 1e4
	if r == 0 {
		return 0 // no "-0" in the output
	}
	return r
}

// encode writes {"source": ..., "rings": [[[x,y],...],...], "triangles":
// [[i,j,k,...],...] (per ring, indices into it), "holes": [ring index,...]}
// with one ring per line, so a regenerated file diffs readably.
func encode(rings []landRing) []byte {
	var b bytes.Buffer
	src, _ := json.Marshal(source)
	fmt.Fprintf(&b, "{\"source\":%s,\n\"rings\":[\n", src)
	holes := []int{}
	for k, ring := range rings {
		if ring.hole {
			holes = append(holes, k)
		}
		b.WriteByte('[')
		for j, p := range ring.points {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			b.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
			b.WriteByte(']')
		}
		b.WriteString("]")
		b.WriteString(separator(k, len(rings)))
	}
	b.WriteString("],\n\"triangles\":[\n")
	for k, ring := range rings {
		ints, _ := json.Marshal(append([]int{}, ring.triangles...))
		b.Write(ints)
		b.WriteString(separator(k, len(rings)))
	}
	h, _ := json.Marshal(holes)
	fmt.Fprintf(&b, "],\n\"holes\":%s}\n", h)
	return b.Bytes()
}

// triangleArea is the area its triangles cover.
func (r landRing) triangleArea() float64 {
	sum := 0.0
	for j := 0; j+2 < len(r.triangles); j += 3 {
		sum += cross(r.points[r.triangles[j]], r.points[r.triangles[j+1]], r.points[r.triangles[j+2]]) / 2
	}
	return sum
}

func separator(k, n int) string {
	if k < n-1 {
		return ",\n"
	}
	return "\n"
}
