package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func writeList(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sources.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiscover_URLListWithIIIFManifestsAndImages(t *testing.T) {
	srv := newIIIFServer(t, map[string][]byte{"no-extension": encodedPNG(t, 8, 8)})
	base := srv.URL
	list := writeList(t,
		"# IIIF manifests, one per line",
		base+"/iiif/v2/ms-187/manifest.json",
		"",
		"  "+base+"/iiif/v3/album-12/manifest  ",
		base+"/static/photo.jpg",
		base+"/static/no-extension",
		base+"/missing/manifest.json",
		base+"/page.html",
		"ftp://example.org/a.jpg",
	)
	d := discover(t, list)
	want := []string{
		base + "/iiif/image/ms187-f1r/full/,1024/0/default.jpg", // 2000×3000, level 2: scaled by the server
		base + "/static/ms187-f1v.jpg",                          // level 0: as is
		base + "/static/ms187-f2r-natural.png",                  // choice: the default
		base + "/iiif/image3/album12-p1/full/1024,/0/default.jpg",
		base + "/iiif/image/album12-p2/full/full/0/default.jpg", // 800×600: no need to scale
		base + "/static/album12-p3-colour.png",
		base + "/static/photo.jpg",
		base + "/static/no-extension",
	}
	if got := paths(d); !reflect.DeepEqual(got, want) {
		t.Errorf("paths =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantProblems := []string{
		list + `:9: "ftp://example.org/a.jpg" is not an http(s) URL; skipped`,
		base + "/missing/manifest.json: HTTP 404 Not Found",
		base + `/page.html: neither a IIIF manifest nor an image (content type "text/html"); skipped`,
	}
	if got := problemsOf(d); !reflect.DeepEqual(got, wantProblems) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
	}
	names := map[string]string{}
	for _, it := range d.Items {
		names[it.Source] = it.Filename
	}
	if names[want[0]] != "ms187-f1r.jpg" || names[want[3]] != "album12-p1.jpg" || names[want[7]] != "no-extension" {
		t.Errorf("filenames = %q", names)
	}
	if d.Items[0].Fallback != base+"/iiif/image/ms187-f1r/full/full/0/default.jpg" {
		t.Errorf("fallback = %q", d.Items[0].Fallback)
	}
	for _, p := range srv.requested() {
		if strings.Contains(p, "/full/") || strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".png") {
			t.Errorf("discovery downloaded image %s; images are read later, by the pipeline", p)
		}
	}
}

func TestDiscover_IIIFManifestMetadataBecomesImageMetadata(t *testing.T) {
	srv := newIIIFServer(t, nil)
	manifest := srv.URL + "/iiif/v2/ms-187/manifest.json"
	d := discover(t, manifest)
	if len(d.Items) != 3 {
		t.Fatalf("want every canvas, got %d items", len(d.Items))
	}
	m := d.Items[0].Meta
	if m == nil {
		t.Fatal("no metadata")
	}
	if m.Category != "Book of Hours, use of Rome" ||
		m.Description != "Book of Hours, use of Rome — f. 1r\n\nIlluminated manuscript on parchment, Flanders, c. 1480." ||
		m.Permalink != srv.URL+"/catalogue/ms-187" || m.Year == nil || *m.Year != 1480 {
		t.Errorf("metadata = %+v", m)
	}
	wantExtra := map[string]string{
		"title":             "Book of Hours, use of Rome",
		"date":              "ca. 1480",
		"author":            "Unknown",
		"shelfmark":         "MS 187",
		"source":            `<a href="` + srv.URL + `/catalogue/ms-187">Catalogue record</a>`,
		"iiif_manifest":     manifest,
		"iiif_canvas":       srv.URL + "/iiif/v2/ms-187/canvas/f1r",
		"iiif_canvas_label": "f. 1r",
		"attribution":       "Fixture Library, Special Collections",
		"rights":            "https://creativecommons.org/publicdomain/mark/1.0/",
	}
	if !reflect.DeepEqual(m.Extra, wantExtra) {
		t.Errorf("extra =\n%q\nwant\n%q", m.Extra, wantExtra)
	}
	v3 := discover(t, srv.URL+"/iiif/v3/album-12/manifest").Items[1].Meta
	if v3.Category != "Photograph album: harbour views" || *v3.Year != 1895 || v3.Extra["subject"] != "Harbours; Ships" ||
		v3.Extra["photographer"] != "Studio Haverkamp" || v3.Extra["iiif_canvas_label"] != "Plate 2: steamers at anchor" {
		t.Errorf("v3 metadata = %+v", v3)
	}
}

func TestDiscover_IIIFCollectionsAreFollowed(t *testing.T) {
	srv := newIIIFServer(t, nil)
	d := discover(t, srv.URL+"/iiif/collection-v3.json")
	if len(d.Items) != 6 || len(d.Problems) != 0 {
		t.Errorf("items %q problems %q", paths(d), problemsOf(d))
	}
}

func TestDownload_LimitsSizeAndTime(t *testing.T) {
	var slowCalls atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(make([]byte, 2048))
			return
		}
		slowCalls.Add(1)
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	opt := RemoteOptions{Timeout: 200 * time.Millisecond}.withDefaults()
	ctx := context.Background()
	if _, _, err := download(ctx, opt, slow.URL+"/big", 1024); !errors.Is(err, errTooLarge) {
		t.Errorf("over the limit: err = %v", err)
	}
	_, _, err := download(ctx, opt, slow.URL+"/slow", 1024)
	if !errors.Is(err, errTimedOut) || !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Errorf("slow: err = %v", err)
	}
	if n := slowCalls.Load(); n != 1 {
		t.Errorf("a timeout must not be retried: %d requests", n)
	}
}

func TestDownload_RetriesUnavailableServers(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	body, _, err := download(context.Background(), RemoteOptions{}.withDefaults(), srv.URL, 1024)
	if err != nil || string(body) != "ok" || calls != 2 {
		t.Errorf("body %q err %v calls %d", body, err, calls)
	}
}

func TestDiscover_PagedCollectionIsFollowedInOrderWithoutLooping(t *testing.T) {
	var srv *httptest.Server
	docs := map[string]string{
		"/set": `{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"{{BASE}}/set","@type":"sc:Collection","first":"{{BASE}}/set?page=1"}`,
		"/set?page=1": `{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"{{BASE}}/set?page=1","@type":"sc:Collection",
			"manifests":[{"@id":"{{BASE}}/m/1","@type":"sc:Manifest"},{"@id":"{{BASE}}/m/2","@type":"sc:Manifest"}],"next":"{{BASE}}/set?page=2"}`,
		"/set?page=2": `{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"{{BASE}}/set?page=2","@type":"sc:Collection",
			"manifests":[{"@id":"{{BASE}}/m/3","@type":"sc:Manifest"}],"next":"{{BASE}}/set?page=1"}`,
	}
	manifest := `{"@context":"http://iiif.io/api/presentation/3/context.json","id":"{{BASE}}/m/N","type":"Manifest","label":{"en":["Object N"]},
	  "items":[{"id":"{{BASE}}/m/N/c1","type":"Canvas","items":[{"type":"AnnotationPage","items":[{"type":"Annotation","motivation":"painting",
	  "body":{"id":"{{BASE}}/img/N.jpg","type":"Image"}}]}]}]}`
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		body, ok := docs[key]
		if n, isManifest := strings.CutPrefix(r.URL.Path, "/m/"); isManifest {
			body, ok = strings.ReplaceAll(manifest, "/N", "/"+n), true
			body = strings.ReplaceAll(body, "Object N", "Object "+n)
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(strings.ReplaceAll(body, "{{BASE}}", srv.URL)))
	}))
	defer srv.Close()
	d := discover(t, srv.URL+"/set")
	want := []string{srv.URL + "/img/1.jpg", srv.URL + "/img/2.jpg", srv.URL + "/img/3.jpg"}
	if got := paths(d); !reflect.DeepEqual(got, want) || len(d.Problems) != 0 {
		t.Errorf("paths = %q problems %q", got, problemsOf(d))
	}
	if d.Items[2].Meta.Category != "Object 3" {
		t.Errorf("category = %q", d.Items[2].Meta.Category)
	}
}
