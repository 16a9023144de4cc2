package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type hit struct {
	ID       int64  `json:"id"`
	Filename string `json:"filename"`
	Snippet  string `json:"snippet"`
}

func search(t *testing.T, base, q, plot string) []hit {
	t.Helper()
	var hits []hit
	target := base + "/api/search?q=" + url.QueryEscape(q)
	if plot != "" {
		target += "&plot=" + url.QueryEscape(plot)
	}
	getJSON(t, target, &hits)
	return hits
}

func TestSearch_FindsWordsOfDescriptionsAndTagsBestFirst(t *testing.T) {
	base := readOnlyServer(t)
	id := manifest(t, base, fixturePlot).Images[0]
	var img struct {
		Description string   `json:"description"`
		Tags        []string `json:"tags"`
	}
	getJSON(t, fmt.Sprintf("%s/api/images/%d", base, id), &img)
	words := strings.Fields(img.Description)
	hits := search(t, base, img.Description, fixturePlot)
	if len(hits) == 0 || hits[0].ID != id {
		t.Fatalf("searching %q: %+v, want image %d first", img.Description, hits, id)
	}
	if hits[0].Snippet == "" || strings.ContainsAny(hits[0].Snippet, "<>") {
		t.Errorf("snippet %q: want plain text", hits[0].Snippet)
	}
	// The image's whole description ranks it above images that share one word.
	if one := search(t, base, words[len(words)-1], ""); len(one) < len(hits) {
		t.Errorf("one word found fewer images (%d) than the whole description (%d)", len(one), len(hits))
	}
	if tagged := search(t, base, img.Tags[0], ""); len(tagged) == 0 {
		t.Errorf("tag %q found nothing", img.Tags[0])
	}
}

func TestSearch_UserTextIsNeverFTSSyntaxAndEmptyFindsNothing(t *testing.T) {
	base := readOnlyServer(t)
	for _, q := range []string{"", " ", `"`, `face"`, `filename:face`, `face AND OR`, `NEAR(a b)`, `*`, `(`, `-x`, `'; DROP TABLE images; --`} {
		r := get(t, base+"/api/search?q="+url.QueryEscape(q))
		wantStatus(t, q, r, http.StatusOK)
		if q == "" && string(r.body) != "[]" {
			t.Errorf("empty q: %s, want []", r.body)
		}
	}
	wantStatus(t, "unknown plot", get(t, base+"/api/search?q=face&plot=nope"), http.StatusNotFound, "nope")
}
