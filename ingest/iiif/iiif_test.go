package iiif

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

const base = "https://iiif.example"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(data), "{{BASE}}", base))
}

func parseManifest(t *testing.T, name string) *Manifest {
	t.Helper()
	doc, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if doc.Manifest == nil {
		t.Fatalf("Parse(%s): not a manifest: %+v", name, doc)
	}
	return doc.Manifest
}

func TestParse_V2ManifestTakesEveryCanvas(t *testing.T) {
	m := parseManifest(t, "manifest-v2.json")
	if m.Version != 2 || m.ID != base+"/iiif/v2/ms-187/manifest.json" {
		t.Errorf("version/id = %d %q", m.Version, m.ID)
	}
	var labels []string
	for _, img := range m.Images {
		labels = append(labels, img.CanvasLabel)
	}
	want := []string{"f. 1r", "f. 1v", "f. 2r (multispectral)"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("canvas labels = %q, want %q", labels, want)
	}
	if len(m.Problems) != 0 {
		t.Errorf("problems: %q", m.Problems)
	}
}

func TestParse_V2ManifestDescriptiveProperties(t *testing.T) {
	m := parseManifest(t, "manifest-v2.json")
	if m.Label != "Book of Hours, use of Rome" {
		t.Errorf("label %q", m.Label)
	}
	if m.Summary != "Illuminated manuscript on parchment, Flanders, c. 1480." {
		t.Errorf("summary should be the English description, got %q", m.Summary)
	}
	wantPairs := []Pair{
		{"Title", "Book of Hours, use of Rome"},
		{"Date", "ca. 1480"},
		{"Author", "Unknown"},
		{"Shelfmark", "MS 187"},
		{"Source", `<a href="` + base + `/catalogue/ms-187">Catalogue record</a>`},
	}
	if !reflect.DeepEqual(m.Metadata, wantPairs) {
		t.Errorf("metadata = %q\nwant %q", m.Metadata, wantPairs)
	}
	if m.Homepage != base+"/catalogue/ms-187" || m.Rights != "https://creativecommons.org/publicdomain/mark/1.0/" ||
		m.Attribution != "Fixture Library, Special Collections" || m.NavDate != "1480-01-01T00:00:00Z" {
		t.Errorf("homepage/rights/attribution/navDate = %q %q %q %q", m.Homepage, m.Rights, m.Attribution, m.NavDate)
	}
}

func TestParse_V2ImageServicesAndChoice(t *testing.T) {
	m := parseManifest(t, "manifest-v2.json")
	f1r, f1v, f2r := m.Images[0], m.Images[1], m.Images[2]
	if f1r.Service != base+"/iiif/image/ms187-f1r" || f1r.ServiceVersion != 2 || f1r.Level != 2 {
		t.Errorf("f1r service = %q v%d level %d", f1r.Service, f1r.ServiceVersion, f1r.Level)
	}
	if f1v.Level != 0 {
		t.Errorf("f1v level = %d, want 0 (profile list)", f1v.Level)
	}
	if f2r.ResourceID != base+"/static/ms187-f2r-natural.png" {
		t.Errorf("choice should take the default, got %q", f2r.ResourceID)
	}
	if f2r.Width != 512 || f2r.Height != 512 {
		t.Errorf("size should come from the canvas when the resource has none: %dx%d", f2r.Width, f2r.Height)
	}
}

func TestParse_V3ManifestTakesEveryCanvasAndSkipsSupplementing(t *testing.T) {
	m := parseManifest(t, "manifest-v3.json")
	var ids []string
	for _, img := range m.Images {
		ids = append(ids, img.ResourceID)
	}
	want := []string{
		base + "/iiif/image3/album12-p1/full/max/0/default.jpg",
		base + "/iiif/image/album12-p2/full/full/0/default.jpg",
		base + "/static/album12-p3-colour.png",
	}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("images = %q\nwant %q", ids, want)
	}
	if m.Images[2].CanvasLabel != "Plate 3: verso with inscription" {
		t.Errorf("canvas label %q", m.Images[2].CanvasLabel)
	}
}

func TestParse_V3ManifestDescriptiveProperties(t *testing.T) {
	m := parseManifest(t, "manifest-v3.json")
	if m.Label != "Photograph album: harbour views" {
		t.Errorf("label should prefer English: %q", m.Label)
	}
	want := []Pair{
		{"Photographer", "Studio Haverkamp"},
		{"Date", "1895"},
		{"Subject", "Harbours; Ships"},
		{"Dimensions", "24 × 30 cm"},
	}
	if !reflect.DeepEqual(m.Metadata, want) {
		t.Errorf("metadata = %q\nwant %q", m.Metadata, want)
	}
	if m.Summary != "Albumen prints mounted on card." || m.Attribution != "Courtesy of the Fixture Museum" ||
		m.Homepage != base+"/collection/album-12" || m.Rights != "http://creativecommons.org/publicdomain/zero/1.0/" {
		t.Errorf("summary/attribution/homepage/rights = %q %q %q %q", m.Summary, m.Attribution, m.Homepage, m.Rights)
	}
}

func TestParse_V3ServicesOfBothImageAPIVersions(t *testing.T) {
	m := parseManifest(t, "manifest-v3.json")
	p1, p2 := m.Images[0], m.Images[1]
	if p1.ServiceVersion != 3 || p1.Level != 1 || p1.Width != 4000 {
		t.Errorf("p1: v%d level %d width %d", p1.ServiceVersion, p1.Level, p1.Width)
	}
	if p2.ServiceVersion != 2 || p2.Level != 1 || p2.Service != base+"/iiif/image/album12-p2" {
		t.Errorf("p2: v%d level %d service %q", p2.ServiceVersion, p2.Level, p2.Service)
	}
	if p2.Width != 800 || p2.Height != 600 {
		t.Errorf("p2 size from canvas: %dx%d", p2.Width, p2.Height)
	}
}

func TestImageURL_AsksOnlyForSizesTheServiceCanMake(t *testing.T) {
	cases := []struct {
		name string
		img  Image
		want string
	}{
		{"large level-2 v2, portrait → by height",
			Image{Service: "https://s/img", ServiceVersion: 2, Level: 2, Width: 2000, Height: 3000, ResourceID: "https://s/img/full/full/0/default.jpg"},
			"https://s/img/full/,1024/0/default.jpg"},
		{"large level-1 v3, landscape → by width",
			Image{Service: "https://s/img/", ServiceVersion: 3, Level: 1, Width: 4000, Height: 3000},
			"https://s/img/full/1024,/0/default.jpg"},
		{"small image → the resource as is",
			Image{Service: "https://s/img", ServiceVersion: 2, Level: 1, Width: 800, Height: 600, ResourceID: "https://s/r.jpg"},
			"https://s/r.jpg"},
		{"level 0 cannot scale → the resource",
			Image{Service: "https://s/img", ServiceVersion: 2, Level: 0, Width: 5000, Height: 5000, ResourceID: "https://s/r.jpg"},
			"https://s/r.jpg"},
		{"unknown size, level 2 → confined box",
			Image{Service: "https://s/img", ServiceVersion: 3, Level: 2},
			"https://s/img/full/!1024,1024/0/default.jpg"},
		{"no resource id, v3 service → max",
			Image{Service: "https://s/img", ServiceVersion: 3, Level: 0},
			"https://s/img/full/max/0/default.jpg"},
		{"no service → the resource",
			Image{ResourceID: "https://s/a.png", Level: -1},
			"https://s/a.png"},
	}
	for _, c := range cases {
		if got := c.img.URL(1024); got != c.want {
			t.Errorf("%s: URL = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestImageFallbackURL_IsTheFullImage(t *testing.T) {
	img := Image{Service: "https://s/img", ServiceVersion: 2, Level: 2, Width: 2000, Height: 3000, ResourceID: "https://s/img/full/full/0/default.jpg"}
	if got := img.FallbackURL(1024); got != "https://s/img/full/full/0/default.jpg" {
		t.Errorf("fallback = %q", got)
	}
	plain := Image{ResourceID: "https://s/a.png"}
	if got := plain.FallbackURL(1024); got != "" {
		t.Errorf("nothing else to try, got %q", got)
	}
}

func TestImageName_IsTheIdentifierNotDefaultJPG(t *testing.T) {
	cases := map[string]Image{
		"ms187-f1r.jpg":         {Service: "https://s/iiif/image/ms187-f1r", ResourceID: "https://s/iiif/image/ms187-f1r/full/full/0/default.jpg", Format: "image/jpeg"},
		"ms187-f2r-natural.png": {ResourceID: "https://s/static/ms187-f2r-natural.png"},
		"album12-p1.jpg":        {ResourceID: "https://s/iiif/image3/album12-p1/full/max/0/default.jpg"},
		"MS 12 f.3.tif":         {Service: "https://s/iiif/MS%2012%20f.3", Format: "image/tiff"},
	}
	for want, img := range cases {
		if got := img.Name(); got != want {
			t.Errorf("Name(%+v) = %q, want %q", img, got, want)
		}
	}
}

func TestParse_Collections(t *testing.T) {
	doc, err := Parse(readFixture(t, "collection-v3.json"))
	if err != nil || doc.Collection == nil {
		t.Fatalf("v3 collection: %v %+v", err, doc)
	}
	if !reflect.DeepEqual(doc.Collection.Manifests, []string{base + "/iiif/v3/album-12/manifest"}) ||
		!reflect.DeepEqual(doc.Collection.Collections, []string{base + "/iiif/collection-v2.json"}) {
		t.Errorf("v3 collection = %+v", doc.Collection)
	}
	doc, err = Parse(readFixture(t, "collection-v2.json"))
	if err != nil || doc.Collection == nil || doc.Version != 2 {
		t.Fatalf("v2 collection: %v %+v", err, doc)
	}
	if !reflect.DeepEqual(doc.Collection.Manifests, []string{base + "/iiif/v2/ms-187/manifest.json"}) {
		t.Errorf("v2 collection = %+v", doc.Collection)
	}
}

func TestParse_PagedV2CollectionLinksItsPages(t *testing.T) {
	top := `{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"https://s/set","@type":"sc:Collection","total":106,"first":"https://s/set?start=0"}`
	doc, err := Parse([]byte(top))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.Collection.Pages, []string{"https://s/set?start=0"}) {
		t.Errorf("pages = %q", doc.Collection.Pages)
	}
	page := `{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"https://s/set?start=0","@type":"sc:Collection",
	  "manifests":[{"@id":"https://s/m1","@type":"sc:Manifest"}],"next":"https://s/set?start=50"}`
	doc, err = Parse([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.Collection.Pages, []string{"https://s/set?start=50"}) || len(doc.Collection.Manifests) != 1 {
		t.Errorf("page = %+v", doc.Collection)
	}
}

func TestParse_RejectsWhatIsNotIIIF(t *testing.T) {
	if _, err := Parse([]byte(`{"name": "package.json"}`)); !errors.Is(err, ErrNotIIIF) {
		t.Errorf("plain JSON: err = %v, want ErrNotIIIF", err)
	}
	if _, err := Parse([]byte(`{"@context":"http://iiif.io/api/presentation/2/context.json","@type":"sc:Canvas"}`)); !errors.Is(err, ErrNotIIIF) {
		t.Errorf("a canvas: err = %v, want ErrNotIIIF", err)
	}
	if _, err := Parse([]byte("\xff\xd8\xff\xe0 JPEG")); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("binary: err = %v", err)
	}
}

func TestParse_ReportsCanvasesWithoutImages(t *testing.T) {
	doc, err := Parse([]byte(`{"@context":"http://iiif.io/api/presentation/3/context.json","id":"https://s/m","type":"Manifest",
	  "items":[{"id":"https://s/c1","type":"Canvas","items":[{"id":"https://s/page1","type":"AnnotationPage"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Manifest.Images) != 0 || len(doc.Manifest.Problems) != 2 {
		t.Errorf("images %d problems %q", len(doc.Manifest.Images), doc.Manifest.Problems)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"manifest-v2.json", "manifest-v3.json", "collection-v2.json", "collection-v3.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		if (doc.Manifest == nil) == (doc.Collection == nil) {
			t.Fatalf("exactly one of manifest and collection must be set: %+v", doc)
		}
		if doc.Manifest != nil {
			for _, img := range doc.Manifest.Images {
				_ = img.URL(1024)
				_ = img.Name()
			}
		}
	})
}
