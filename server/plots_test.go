package server

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/jpeg"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pixplot/pixplot/catalog"
)

// manifestJSON is the full manifest as the viewer reads it.
type manifestJSON struct {
	Name     string  `json:"name"`
	Where    *string `json:"where"`
	Status   string  `json:"status"`
	Progress *string `json:"progress"`
	Error    *string `json:"error"`
	Count    int     `json:"count"`
	Created  string  `json:"created"`
	Images   []int64 `json:"images"`
	Layouts  []struct {
		Name   string `json:"name"`
		Labels []struct {
			Text string  `json:"text"`
			X    float32 `json:"x"`
			Y    float32 `json:"y"`
		} `json:"labels"`
		Variant *struct {
			NNeighbors int     `json:"n_neighbors"`
			MinDist    float64 `json:"min_dist"`
			Jitter     bool    `json:"jitter"`
		} `json:"variant"`
	} `json:"layouts"`
	Hotspots []struct {
		ID        int        `json:"id"`
		Label     string     `json:"label"`
		Size      int        `json:"size"`
		Exemplars []int64    `json:"exemplars"`
		Members   []int      `json:"members"`
		Centroid  [2]float32 `json:"centroid"`
	} `json:"hotspots"`
	Atlases []struct {
		CellSize int `json:"cell_size"`
		Size     int `json:"size"`
		Count    int `json:"count"`
	} `json:"atlases"`
}

func readOnlyServer(t *testing.T) string {
	t.Helper()
	_, url := serve(t, openCatalog(t, true), Options{ReadOnly: true, ReadOnlyReason: "test"})
	return url
}

func manifest(t *testing.T, url, plot string) manifestJSON {
	t.Helper()
	var m manifestJSON
	getJSON(t, url+"/api/plots/"+plot, &m)
	return m
}

func TestPlots_ListsEveryPlotWithItsStatusAndContents(t *testing.T) {
	url := readOnlyServer(t)
	var list []struct {
		Name     string   `json:"name"`
		Where    *string  `json:"where"`
		Status   string   `json:"status"`
		Count    int      `json:"count"`
		Layouts  []string `json:"layouts"`
		Hotspots *int     `json:"hotspots"`
		Created  string   `json:"created"`
	}
	r := getJSON(t, url+"/api/plots", &list)
	if len(list) != 1 {
		t.Fatalf("plots: %s", r.body)
	}
	p := list[0]
	if p.Name != fixturePlot || p.Status != "ready" || p.Count != 60 || p.Where == nil || *p.Where != "" || p.Hotspots == nil {
		t.Errorf("plot entry %s", r.body)
	}
	if !slices.Contains(p.Layouts, "umap") || !slices.Contains(p.Layouts, "grid") {
		t.Errorf("layouts %v: want umap and grid at least", p.Layouts)
	}
	if _, err := time.Parse(time.RFC3339, p.Created); err != nil {
		t.Errorf("created %q: %v", p.Created, err)
	}
}

func TestManifest_DescribesImagesLayoutsHotspotsAndAtlasTiers(t *testing.T) {
	url := readOnlyServer(t)
	m := manifest(t, url, fixturePlot)
	if m.Status != "ready" || m.Count != 60 || len(m.Images) != 60 || m.Progress != nil || m.Error != nil {
		t.Fatalf("manifest head: %+v", m)
	}
	inPlot := map[int64]bool{}
	for _, id := range m.Images {
		inPlot[id] = true
	}
	if len(inPlot) != 60 {
		t.Errorf("images are not 60 distinct ids: %v", m.Images)
	}
	if len(m.Layouts) < 2 || m.Layouts[0].Name != "umap" {
		t.Errorf("layouts %+v: want umap first", m.Layouts)
	}
	for _, h := range m.Hotspots {
		if h.Size != len(h.Members) || len(h.Exemplars) == 0 || h.Label == "" {
			t.Errorf("hotspot %+v", h)
		}
		for _, e := range h.Exemplars {
			if !inPlot[e] {
				t.Errorf("hotspot %d exemplar %d is not an image of the plot", h.ID, e)
			}
		}
		for _, pos := range h.Members {
			if pos < 0 || pos >= m.Count {
				t.Errorf("hotspot %d member %d is not a plot position", h.ID, pos)
			}
		}
	}
	if len(m.Atlases) != 2 || m.Atlases[0].CellSize != 32 || m.Atlases[1].CellSize != 128 {
		t.Fatalf("atlases %+v: want tiers 32 and 128", m.Atlases)
	}
	for _, a := range m.Atlases {
		if a.Count < 1 || a.Size < 1 || a.Size > 2048 {
			t.Errorf("tier %+v", a)
		}
	}
}

func TestLayout_IsFloat32PairsInPlotOrderAndTheSameAsJSON(t *testing.T) {
	url := readOnlyServer(t)
	m := manifest(t, url, fixturePlot)
	for _, l := range m.Layouts {
		bin := get(t, url+"/api/plots/"+fixturePlot+"/layouts/"+l.Name)
		wantStatus(t, l.Name, bin, http.StatusOK)
		if ct := bin.header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("%s: Content-Type %q", l.Name, ct)
		}
		if len(bin.body) != 8*m.Count {
			t.Fatalf("%s: %d bytes for %d images", l.Name, len(bin.body), m.Count)
		}
		var asJSON []*float64
		getJSON(t, url+"/api/plots/"+fixturePlot+"/layouts/"+l.Name+"?format=json", &asJSON)
		if len(asJSON) != 2*m.Count {
			t.Fatalf("%s: JSON has %d numbers", l.Name, len(asJSON))
		}
		for i, v := range asJSON {
			f := math.Float32frombits(binary.LittleEndian.Uint32(bin.body[4*i:]))
			switch {
			case v == nil && !math.IsNaN(float64(f)):
				t.Fatalf("%s value %d: null in JSON, %v in binary", l.Name, i, f)
			case v != nil && float32(*v) != f:
				t.Fatalf("%s value %d: %v in JSON, %v in binary", l.Name, i, *v, f)
			case v != nil && (*v < -1.0001 || *v > 1.0001):
				t.Fatalf("%s value %d = %v is outside [-1, 1]", l.Name, i, *v)
			}
		}
	}
	wantStatus(t, "unknown layout", get(t, url+"/api/plots/"+fixturePlot+"/layouts/tsne"), http.StatusNotFound, "tsne")
	wantStatus(t, "unknown format", get(t, url+"/api/plots/"+fixturePlot+"/layouts/umap?format=xml"), http.StatusBadRequest, "xml")
}

func TestCells_AreParallelArraysThatFitTheirAtlases(t *testing.T) {
	url := readOnlyServer(t)
	m := manifest(t, url, fixturePlot)
	for _, a := range m.Atlases {
		var cells struct {
			Tier              int
			Atlas, X, Y, W, H []int
		}
		getJSON(t, fmt.Sprintf("%s/api/plots/%s/cells?tier=%d", url, fixturePlot, a.CellSize), &cells)
		if cells.Tier != a.CellSize {
			t.Errorf("tier %d answered as %d", a.CellSize, cells.Tier)
		}
		for _, arr := range [][]int{cells.Atlas, cells.X, cells.Y, cells.W, cells.H} {
			if len(arr) != m.Count {
				t.Fatalf("tier %d: an array has %d entries for %d images", a.CellSize, len(arr), m.Count)
			}
		}
		for i := range cells.Atlas {
			if cells.Atlas[i] < -1 || cells.Atlas[i] >= a.Count || cells.X[i]+cells.W[i] > a.Size || cells.Y[i]+cells.H[i] > a.Size || cells.H[i] > a.CellSize {
				t.Fatalf("tier %d image %d: cell %d (%d,%d %dx%d) does not fit", a.CellSize, i, cells.Atlas[i], cells.X[i], cells.Y[i], cells.W[i], cells.H[i])
			}
		}
	}
	wantStatus(t, "unknown tier", get(t, url+"/api/plots/"+fixturePlot+"/cells?tier=64"), http.StatusNotFound, "64")
	wantStatus(t, "bad tier", get(t, url+"/api/plots/"+fixturePlot+"/cells?tier=big"), http.StatusBadRequest, "big")
}

func TestAtlas_IsAJPEGOfItsTierWithCacheValidation(t *testing.T) {
	url := readOnlyServer(t)
	m := manifest(t, url, fixturePlot)
	for _, a := range m.Atlases {
		for i := range a.Count {
			r := get(t, fmt.Sprintf("%s/api/plots/%s/atlases/%d?tier=%d", url, fixturePlot, i, a.CellSize))
			wantStatus(t, "atlas", r, http.StatusOK)
			img, err := jpeg.Decode(bytes.NewReader(r.body))
			if err != nil {
				t.Fatalf("tier %d atlas %d: %v", a.CellSize, i, err)
			}
			if b := img.Bounds(); b.Dx() > a.Size || b.Dy() > a.Size {
				t.Errorf("tier %d atlas %d is %v, larger than %d", a.CellSize, i, b, a.Size)
			}
			if r.header.Get("Content-Type") != "image/jpeg" || r.header.Get("ETag") == "" {
				t.Errorf("headers %v", r.header)
			}
		}
	}
	atlas := url + "/api/plots/" + fixturePlot + "/atlases/0?tier=32"
	first := get(t, atlas)
	req, _ := http.NewRequest("GET", atlas, nil)
	req.Header.Set("If-None-Match", first.header.Get("ETag"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: %d, want 304", resp.StatusCode)
	}
	wantStatus(t, "no such atlas", get(t, url+"/api/plots/"+fixturePlot+"/atlases/999?tier=32"), http.StatusNotFound)
	wantStatus(t, "negative index", get(t, url+"/api/plots/"+fixturePlot+"/atlases/-1?tier=32"), http.StatusBadRequest)
	wantStatus(t, "index not a number", get(t, url+"/api/plots/"+fixturePlot+"/atlases/x?tier=32"), http.StatusBadRequest)
}

func TestMeta_IndexesCategoriesAndTagsPerImage(t *testing.T) {
	url := readOnlyServer(t)
	m := manifest(t, url, fixturePlot)
	var meta struct {
		Filename   []string `json:"filename"`
		Categories []string `json:"categories"`
		Category   []int    `json:"category"`
		Year       []*int   `json:"year"`
		Tags       []string `json:"tags"`
		TagIDs     [][]int  `json:"tag_ids"`
	}
	getJSON(t, url+"/api/plots/"+fixturePlot+"/meta", &meta)
	if len(meta.Filename) != m.Count || len(meta.Category) != m.Count || len(meta.Year) != m.Count || len(meta.TagIDs) != m.Count {
		t.Fatalf("per-image arrays are not %d long", m.Count)
	}
	if len(meta.Categories) != 10 {
		t.Errorf("categories %v: the emoji have 10", meta.Categories)
	}
	for i := range m.Count {
		var img struct {
			Filename string   `json:"filename"`
			Category *string  `json:"category"`
			Tags     []string `json:"tags"`
		}
		getJSON(t, fmt.Sprintf("%s/api/images/%d", url, m.Images[i]), &img)
		if meta.Filename[i] != img.Filename || meta.Categories[meta.Category[i]] != *img.Category {
			t.Fatalf("position %d: meta says %s/%s, the image is %s/%s", i, meta.Filename[i],
				meta.Categories[meta.Category[i]], img.Filename, *img.Category)
		}
		var tags []string
		for _, j := range meta.TagIDs[i] {
			tags = append(tags, meta.Tags[j])
		}
		if !slices.Equal(tags, img.Tags) {
			t.Fatalf("position %d: meta tags %v, image tags %v", i, tags, img.Tags)
		}
	}
}

func TestPlotRoutes_UnknownAndInvalidPlotNames(t *testing.T) {
	url := readOnlyServer(t)
	for path, status := range map[string]int{
		"/api/plots/nope":                       http.StatusNotFound,
		"/api/plots/nope/layouts/umap":          http.StatusNotFound,
		"/api/plots/nope/cells?tier=32":         http.StatusNotFound,
		"/api/plots/nope/meta":                  http.StatusNotFound,
		"/api/plots/nope/atlases/0?tier=32":     http.StatusNotFound,
		"/api/plots/%2E%2E%2F%2E%2E%2Fetc":      http.StatusNotFound, // decoded to a path with slashes: no route
		"/api/plots/bad%20name%3B":              http.StatusBadRequest,
		"/api/plots/" + strings.Repeat("a", 65): http.StatusBadRequest,
		"/api/search?q=x&plot=nope":             http.StatusNotFound,
		"/api/images/1/similar?plot=nope":       http.StatusNotFound,
	} {
		wantStatus(t, path, get(t, url+path), status)
	}
}

func TestCreatePlot_ValidatesThenComputesInTheBackground(t *testing.T) {
	cat := openCatalog(t, false)
	_, url := serve(t, cat, Options{})
	r := sendJSON(t, "POST", url+"/api/plots", map[string]any{
		"name": "first40", "where": "id <= 40", "tags": []string{}, "categories": []string{}, "max_hotspots": 3,
	})
	wantStatus(t, "create", r, http.StatusAccepted)
	if string(r.body) != `{"name":"first40","status":"running"}` {
		t.Errorf("202 body %s", r.body)
	}
	m := waitReady(t, url, "first40")
	if m.Count != 40 || len(m.Images) != 40 || *m.Where != "id <= 40" {
		t.Errorf("new plot: %d images, where %q", m.Count, *m.Where)
	}
	if len(m.Hotspots) > 3 {
		t.Errorf("max_hotspots 3 gave %d hotspots", len(m.Hotspots))
	}
	info, err := cat.Plot(ctx, "first40")
	if err != nil || info.Status != catalog.PlotReady {
		t.Errorf("catalog: %+v %v", info, err)
	}
	wantStatus(t, "same name again", sendJSON(t, "POST", url+"/api/plots", map[string]any{"name": "first40"}),
		http.StatusConflict, "first40")
}

// waitReady polls the plot like the viewer until it is ready; failed fails the test.
func waitReady(t *testing.T, url, name string) manifestJSON {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		m := manifest(t, url, name)
		switch m.Status {
		case "ready":
			return m
		case "failed":
			t.Fatalf("plot %s failed: %s", name, *m.Error)
		case "running":
			if m.Progress == nil {
				t.Fatalf("running plot %s without progress", name)
			}
		default:
			t.Fatalf("plot %s status %q", name, m.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("plot %s not ready after 2 minutes", name)
	return manifestJSON{}
}

func TestCreatePlot_RejectsWhatItCannotMakeBeforeAccepting(t *testing.T) {
	_, url := serve(t, openCatalog(t, false), Options{})
	cases := []struct {
		what   string
		body   string
		status int
		parts  []string
	}{
		{"misspelt column", `{"name":"x","where":"yeer > 1900"}`, 400, []string{"yeer"}},
		{"second statement", `{"name":"x","where":"1; DROP TABLE images"}`, 400, []string{"filter"}},
		{"matches nothing", `{"name":"x","where":"year > 3000"}`, 400, []string{"no images"}},
		{"bad name", `{"name":"../x","where":""}`, 400, []string{"../x"}},
		{"no name", `{"where":""}`, 400, []string{"name"}},
		{"unknown field", `{"name":"x","wehre":"year > 1"}`, 400, []string{"wehre"}},
		{"not JSON", `name=x`, 400, []string{"request body"}},
		{"empty", ``, 400, []string{"empty"}},
		{"bad metric", `{"name":"x","metric":"manhattan"}`, 400, []string{"manhattan"}},
		{"bad atlas size", `{"name":"x","atlas_size":1000}`, 400, []string{"1000"}},
		{"n_neighbors not numbers", `{"name":"x","n_neighbors":"many"}`, 400, []string{"n_neighbors", "many"}},
		{"n_neighbors below 2", `{"name":"x","n_neighbors":[5,1]}`, 400, []string{"n_neighbors 1"}},
		{"no min_distance", `{"name":"x","min_distance":[]}`, 400, []string{"min_distance"}},
		{"min_distance above 1", `{"name":"x","min_distance":[0.1,1.5]}`, 400, []string{"min_distance 1.5"}},
		{"too many UMAP layouts", `{"name":"x","n_neighbors":[2,3,4,5],"min_distance":[0.1,0.2,0.3]}`, 400, []string{"12 UMAP layouts"}},
		{"name taken", `{"name":"emoji"}`, 409, []string{"emoji"}},
		{"too big", `{"name":"x","where":"` + strings.Repeat(" ", 70<<10) + `"}`, 413, []string{"larger"}},
	}
	for _, c := range cases {
		r := do(t, "POST", url+"/api/plots", "application/json", strings.NewReader(c.body))
		wantStatus(t, c.what, r, c.status, c.parts...)
	}
}

func TestRenameHotspot_PersistsTheLabel(t *testing.T) {
	url, reopen := servePersisting(t)
	m := manifest(t, url, fixturePlot)
	if len(m.Hotspots) == 0 {
		t.Fatal("the fixture plot has no hotspots")
	}
	h := m.Hotspots[0]
	target := fmt.Sprintf("%s/api/plots/%s/hotspots/%d", url, fixturePlot, h.ID)
	r := sendJSON(t, "PATCH", target, map[string]string{"label": "  Harbour views "})
	wantStatus(t, "rename", r, http.StatusOK)
	if !strings.Contains(string(r.body), `"label":"Harbour views"`) || !strings.Contains(string(r.body), `"members"`) {
		t.Errorf("answer %s: want the updated hotspot", r.body)
	}
	if got := manifest(t, url, fixturePlot).Hotspots[0].Label; got != "Harbour views" {
		t.Errorf("manifest label %q", got)
	}
	wantStatus(t, "empty label", sendJSON(t, "PATCH", target, map[string]string{"label": "  "}), http.StatusBadRequest, "label")
	wantStatus(t, "no label", sendJSON(t, "PATCH", target, map[string]int{"label": 3}), http.StatusBadRequest)
	wantStatus(t, "unknown hotspot", sendJSON(t, "PATCH", url+"/api/plots/"+fixturePlot+"/hotspots/999", map[string]string{"label": "x"}), http.StatusNotFound)
	wantStatus(t, "bad hotspot id", sendJSON(t, "PATCH", url+"/api/plots/"+fixturePlot+"/hotspots/one", map[string]string{"label": "x"}), http.StatusBadRequest)
	wantStatus(t, "unknown plot", sendJSON(t, "PATCH", url+"/api/plots/nope/hotspots/1", map[string]string{"label": "x"}), http.StatusNotFound)

	url2 := reopen()
	if got := manifest(t, url2, fixturePlot).Hotspots[0].Label; got != "Harbour views" {
		t.Errorf("after reopening the catalog, label %q", got)
	}
}

func TestCreatePlot_MakesAUMAPLayoutPerParameterCombinationEachWithAJitteredTwin(t *testing.T) {
	_, url := serve(t, openCatalog(t, false), Options{})
	r := sendJSON(t, "POST", url+"/api/plots", map[string]any{
		"name": "variants", "where": "id <= 40", "n_neighbors": []int{5, 10}, "min_distance": 0.2, "epochs": 50,
	})
	wantStatus(t, "create", r, http.StatusAccepted)
	m := waitReady(t, url, "variants")
	type variant struct {
		n      int
		d      float64
		jitter bool
	}
	got := map[string]variant{}
	var names []string
	for _, l := range m.Layouts {
		names = append(names, l.Name)
		if l.Variant != nil {
			got[l.Name] = variant{l.Variant.NNeighbors, l.Variant.MinDist, l.Variant.Jitter}
		}
	}
	want := map[string]variant{"umap": {5, 0.2, false}, "umap-jitter": {5, 0.2, true},
		"umap-n10-d0.2": {10, 0.2, false}, "umap-n10-d0.2-jitter": {10, 0.2, true}}
	if !maps.Equal(got, want) {
		t.Fatalf("layouts %v with variants %v, want %v", names, got, want)
	}
	for name := range want {
		bin := get(t, url+"/api/plots/variants/layouts/"+name)
		wantStatus(t, name, bin, http.StatusOK)
		if len(bin.body) != 8*m.Count {
			t.Errorf("%s: %d bytes for %d images", name, len(bin.body), m.Count)
		}
	}
}

func TestManifest_GivesUMAPLayoutsTheirParameters(t *testing.T) {
	m := manifest(t, readOnlyServer(t), fixturePlot)
	for _, l := range m.Layouts {
		v := l.Variant
		switch l.Name {
		case "umap", "umap-jitter":
			if v == nil || v.NNeighbors != 15 || v.MinDist != 0.01 || v.Jitter != (l.Name == "umap-jitter") {
				t.Errorf("%s: variant %+v, want n_neighbors 15, min_dist 0.01, jitter only on the twin", l.Name, v)
			}
		default:
			if v != nil {
				t.Errorf("%s: variant %+v, want none", l.Name, v)
			}
		}
	}
	var names []string
	for _, l := range m.Layouts {
		names = append(names, l.Name)
	}
	if !slices.Contains(names, "umap-jitter") {
		t.Error("the plot has no umap-jitter layout")
	}
}
