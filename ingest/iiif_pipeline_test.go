package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/internal/testkit"
)

// iiifPhotos serves real photos as the fixture manifests' images.
func iiifPhotos(t *testing.T) *iiifServer {
	t.Helper()
	photos := testkit.Photos(t)
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(photos, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	return newIIIFServer(t, map[string][]byte{
		"ms187-f1r":             read("astronaut.png"), // the manifest claims 2000×3000: the sized request fails
		"ms187-f1v.jpg":         read("rocket.jpg"),
		"ms187-f2r-natural.png": read("chelsea.png"),
		"album12-p1":            read("retina.jpg"), // 1411×1411, scaled to 1024 by the server
		"album12-p2":            read("coffee.png"),
		"album12-p3-colour.png": read("camera.png"),
	})
}

func TestRun_IIIFManifestsEveryCanvasWithMetadata(t *testing.T) {
	srv := iiifPhotos(t)
	list := writeList(t, "# two manifests", srv.URL+"/iiif/v2/ms-187/manifest.json", srv.URL+"/iiif/v3/album-12/manifest")
	meta := filepath.Join(t.TempDir(), "meta.csv")
	if err := os.WriteFile(meta, []byte("filename,category,photographer\nalbum12-p1.jpg,Harbour,H. Haverkamp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := newCatalog(t)
	s := ingest(t, cat, Options{Images: list, Metadata: meta})
	if counts(s) != [5]int{6, 6, 0, 0, 0} || s.MetadataMatched != 1 || s.Outcome() != OutcomeOK {
		t.Fatalf("summary:\n%s", s.Text())
	}
	ctx := context.Background()
	byName := map[string]int64{}
	for _, name := range []string{"ms187-f1r.jpg", "album12-p1.jpg", "album12-p3-colour.png"} {
		ids, err := cat.ImageIDsByFilename(ctx, name)
		if err != nil || len(ids) != 1 {
			t.Fatalf("%s: ids %v err %v", name, ids, err)
		}
		byName[name] = ids[0]
	}
	f1r, err := cat.Image(ctx, byName["ms187-f1r.jpg"])
	if err != nil {
		t.Fatal(err)
	}
	if f1r.Width != 512 || f1r.Source != srv.URL+"/iiif/image/ms187-f1r/full/,1024/0/default.jpg" ||
		f1r.Meta.Category != "Book of Hours, use of Rome" || f1r.Meta.Extra["author"] != "Unknown" || *f1r.Meta.Year != 1480 {
		t.Errorf("f1r (fetched through its fallback) = %+v", f1r)
	}
	p1, err := cat.Image(ctx, byName["album12-p1.jpg"])
	if err != nil {
		t.Fatal(err)
	}
	if p1.Width != 1024 || p1.Height != 1024 || p1.Format != "jpeg" {
		t.Errorf("album12-p1 should be the server's 1024 px rendition: %dx%d %s", p1.Width, p1.Height, p1.Format)
	}
	if p1.Meta.Category != "Harbour" || p1.Meta.Extra["photographer"] != "H. Haverkamp" || p1.Meta.Extra["subject"] != "Harbours; Ships" ||
		p1.Meta.Extra["iiif_manifest"] != srv.URL+"/iiif/v3/album-12/manifest" {
		t.Errorf("album12-p1 metadata (row over manifest) = %+v", p1.Meta)
	}

	before := len(srv.requested())
	again := ingest(t, cat, Options{Images: list, Metadata: meta})
	if counts(again) != [5]int{6, 0, 0, 6, 0} {
		t.Errorf("second run:\n%s", again.Text())
	}
	for _, p := range srv.requested()[before:] {
		if !strings.Contains(p, "manifest") {
			t.Errorf("second run downloaded %s; stored URLs are not fetched again", p)
		}
	}
}

func TestRun_UnreachableImagesAreReadFailures(t *testing.T) {
	srv := iiifPhotos(t)
	list := writeList(t, srv.URL+"/static/ms187-f1v.jpg", srv.URL+"/static/missing.jpg")
	cat := newCatalog(t)
	s, err := Run(context.Background(), cat, realEmbedder(t), Options{Images: list, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if counts(s) != [5]int{2, 1, 0, 0, 1} || s.FailedReasons["read: HTTP 404 Not Found"] != 1 {
		t.Errorf("summary:\n%s", s.Text())
	}
}
