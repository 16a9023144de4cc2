package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/server"
	"github.com/pixplot/pixplot/server/servertest"
	"github.com/pixplot/pixplot/viewer"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	code := m.Run()
	servertest.Cleanup()
	os.Exit(code)
}

const plot = servertest.PlotName

func openFixture(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(servertest.Copy(t), catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

// fetch GETs path from a static file server and expects 200.
func fetch(t *testing.T, base, path string) []byte {
	t.Helper()
	resp, err := http.Get(base + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s from the static server: %d", path, resp.StatusCode)
	}
	return body
}

func fetchJSON(t *testing.T, base, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(fetch(t, base, path), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type neighbor struct {
	ID       int64   `json:"id"`
	Filename string  `json:"filename"`
	Distance float64 `json:"distance"`
}

func TestWrite_SiteServedByAPlainFileServerHasEveryFileTheViewerAsksFor(t *testing.T) {
	cat := openFixture(t)
	dir := filepath.Join(t.TempDir(), "site")
	sum, err := Write(ctx, cat, dir, Options{Plots: []string{plot}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Images != servertest.Images || sum.Files == 0 || sum.Bytes == 0 {
		t.Errorf("summary %+v", sum)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer static.Close()
	base := static.URL

	if !strings.Contains(string(fetch(t, base, "index.html")), "<html") {
		t.Error("index.html is not the viewer")
	}
	if got := string(fetch(t, base, viewer.ConfigFile)); got != string(viewer.StaticConfig) {
		t.Errorf("config.json = %q, want %q", got, viewer.StaticConfig)
	}
	var plots []struct {
		Name, Status string
	}
	fetchJSON(t, base, viewer.PlotsFile, &plots)
	if len(plots) != 1 || plots[0].Name != plot || plots[0].Status != "ready" {
		t.Errorf("plots.json: %+v", plots)
	}
	var m struct {
		Count   int     `json:"count"`
		Images  []int64 `json:"images"`
		Layouts []struct {
			Name string `json:"name"`
		} `json:"layouts"`
		Atlases []struct {
			CellSize int `json:"cell_size"`
			Count    int `json:"count"`
		} `json:"atlases"`
	}
	fetchJSON(t, base, viewer.ManifestFile(plot), &m)
	if m.Count != servertest.Images || len(m.Images) != m.Count {
		t.Fatalf("manifest: %d images", m.Count)
	}
	for _, l := range m.Layouts {
		if b := fetch(t, base, viewer.LayoutFile(plot, l.Name)); len(b) != 8*m.Count {
			t.Errorf("layout %s: %d bytes", l.Name, len(b))
		}
	}
	for _, a := range m.Atlases {
		fetch(t, base, viewer.CellsFile(plot, a.CellSize))
		for i := range a.Count {
			if b := fetch(t, base, viewer.AtlasFile(plot, a.CellSize, i)); len(b) < 3 || b[0] != 0xFF || b[1] != 0xD8 {
				t.Errorf("atlas %d-%d is not a JPEG", a.CellSize, i)
			}
		}
	}
	var meta struct {
		Filename []string `json:"filename"`
	}
	fetchJSON(t, base, viewer.MetaFile(plot), &meta)
	if len(meta.Filename) != m.Count {
		t.Errorf("meta.json: %d file names", len(meta.Filename))
	}
	for _, id := range m.Images {
		var img struct {
			ID int64 `json:"id"`
		}
		fetchJSON(t, base, viewer.ImageFile(id), &img)
		if img.ID != id {
			t.Errorf("%s holds image %d", viewer.ImageFile(id), img.ID)
		}
		for _, size := range []string{"cell", "preview"} {
			fetch(t, base, viewer.ThumbFile(id, size))
		}
		var similar []neighbor
		fetchJSON(t, base, viewer.SimilarFile(id), &similar)
		if len(similar) != DefaultK {
			t.Errorf("%s: %d neighbours", viewer.SimilarFile(id), len(similar))
		}
	}
}

func TestWrite_FilesHoldTheAPIsAnswers(t *testing.T) {
	cat := openFixture(t)
	dir := filepath.Join(t.TempDir(), "site")
	if _, err := Write(ctx, cat, dir, Options{Plots: []string{plot}, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(server.New(cat, server.Options{ReadOnly: true}).Handler())
	defer api.Close()
	read := func(path string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	answer := func(path string) []byte {
		resp, err := http.Get(api.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	for file, path := range map[string]string{
		viewer.PlotsFile:                "/api/plots",
		viewer.ManifestFile(plot):       "/api/plots/" + plot,
		viewer.LayoutFile(plot, "umap"): "/api/plots/" + plot + "/layouts/umap",
		viewer.CellsFile(plot, 32):      "/api/plots/" + plot + "/cells?tier=32",
		viewer.AtlasFile(plot, 128, 0):  "/api/plots/" + plot + "/atlases/0?tier=128",
		viewer.MetaFile(plot):           "/api/plots/" + plot + "/meta",
		viewer.ImageFile(1):             "/api/images/1",
		viewer.ThumbFile(1, "preview"):  "/api/images/1/thumb?size=preview",
	} {
		if got, want := read(file), answer(path); string(got) != string(want) {
			t.Errorf("%s differs from GET %s", file, path)
		}
	}
	// Similar lists: the API's nearest images within the plot (exact at this size).
	for id := int64(1); id <= 60; id += 7 {
		var exported, live []neighbor
		json.Unmarshal(read(viewer.SimilarFile(id)), &exported)
		json.Unmarshal(answer(fmt.Sprintf("/api/images/%d/similar?k=20&plot=%s", id, plot)), &live)
		if len(exported) != len(live) {
			t.Fatalf("image %d: %d exported neighbours, API %d", id, len(exported), len(live))
		}
		for i := range live {
			if math.Abs(exported[i].Distance-live[i].Distance) > 1e-4 || exported[i].Filename == "" {
				t.Fatalf("image %d neighbour %d: exported %+v, API %+v", id, i, exported[i], live[i])
			}
		}
	}
}

func TestWrite_RefusesAFolderThatIsNotAnExportAndReplacesAnEarlierOne(t *testing.T) {
	cat := openFixture(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thesis.txt"), []byte("keep me"), 0o644)
	if _, err := Write(ctx, cat, dir, Options{Plots: []string{plot}}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("exporting into a folder of other files: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "thesis.txt")); string(b) != "keep me" {
		t.Error("the folder's file was touched")
	}

	site := filepath.Join(t.TempDir(), "site")
	for range 2 {
		if _, err := Write(ctx, cat, site, Options{Plots: []string{plot}, Workers: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(site, viewer.ManifestFile(plot))); err != nil {
		t.Error(err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(site), ".site.partial-*"))
	if len(leftovers) != 0 {
		t.Errorf("left behind: %v", leftovers)
	}
}

func TestWrite_UnknownPlotIsAnErrorNamingIt(t *testing.T) {
	cat := openFixture(t)
	_, err := Write(ctx, cat, filepath.Join(t.TempDir(), "site"), Options{Plots: []string{"nope"}})
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), plot) {
		t.Errorf("unknown plot: %v (want its name and the plots there are)", err)
	}
}

func TestWrite_ExportsEveryUMAPVariantAndItsJitteredTwin(t *testing.T) {
	cat, err := catalog.Open(servertest.Copy(t), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	opts := servertest.DefaultOptions()
	opts.NNeighbors, opts.Epochs = []int{5, 10}, 50
	if err := servertest.Plot(ctx, cat, "variants", catalog.Filter{Where: "id <= 30"}, opts); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	if _, err := Write(ctx, cat, dir, Options{Plots: []string{"variants"}, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Layouts []struct {
			Name    string          `json:"name"`
			Variant json.RawMessage `json:"variant"`
		} `json:"layouts"`
	}
	b, err := os.ReadFile(filepath.Join(dir, viewer.ManifestFile("variants")))
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v", err)
	}
	variants := map[string]string{}
	for _, l := range m.Layouts {
		variants[l.Name] = string(l.Variant)
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(viewer.LayoutFile("variants", l.Name)))); err != nil {
			t.Errorf("layout %s: %v", l.Name, err)
		}
	}
	for name, want := range map[string]string{
		"umap":                  `{"n_neighbors":5,"min_dist":0.01,"jitter":false}`,
		"umap-jitter":           `{"n_neighbors":5,"min_dist":0.01,"jitter":true}`,
		"umap-n10-d0.01":        `{"n_neighbors":10,"min_dist":0.01,"jitter":false}`,
		"umap-n10-d0.01-jitter": `{"n_neighbors":10,"min_dist":0.01,"jitter":true}`,
	} {
		if variants[name] != want {
			t.Errorf("exported manifest: %s has variant %s, want %s", name, variants[name], want)
		}
	}
}
