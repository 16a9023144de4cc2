package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/server/servertest"
)

func TestCreateAndDeleteHotspot_PersistInTheCatalog(t *testing.T) {
	url, reopen := servePersisting(t)
	before := manifest(t, url, fixturePlot)
	target := url + "/api/plots/" + fixturePlot + "/hotspots"

	r := sendJSON(t, "POST", target, map[string]any{"label": " Selection 1 ", "members": []int{5, 3, 4}})
	wantStatus(t, "create", r, http.StatusCreated)
	var made catalog.Hotspot
	if err := json.Unmarshal(r.body, &made); err != nil {
		t.Fatal(err)
	}
	if made.Label != "Selection 1" || made.Size != 3 || !slices.Equal(made.Members, []int{3, 4, 5}) ||
		len(made.Exemplars) != 3 || !slices.Contains(before.Images, made.Exemplars[0]) {
		t.Errorf("answer %s", r.body)
	}
	after := manifest(t, url, fixturePlot)
	if len(after.Hotspots) != len(before.Hotspots)+1 {
		t.Fatalf("manifest has %d hotspots, want %d", len(after.Hotspots), len(before.Hotspots)+1)
	}
	listed := after.Hotspots[len(after.Hotspots)-1]
	if listed.ID != made.ID || listed.Label != made.Label || !slices.Equal(listed.Members, made.Members) ||
		!slices.Equal(listed.Exemplars, made.Exemplars) || listed.Centroid != made.Centroid {
		t.Errorf("manifest lists %+v; created %+v", listed, made)
	}

	r = do(t, "DELETE", fmt.Sprintf("%s/%d", target, made.ID), "", nil)
	wantStatus(t, "delete", r, http.StatusNoContent)
	if got := manifest(t, url, fixturePlot).Hotspots; len(got) != len(before.Hotspots) {
		t.Errorf("after delete %d hotspots, want %d", len(got), len(before.Hotspots))
	}
	wantStatus(t, "delete again", do(t, "DELETE", fmt.Sprintf("%s/%d", target, made.ID), "", nil), http.StatusNotFound)

	// The first computed hotspot, removed, stays removed in the file.
	first := before.Hotspots[0].ID
	wantStatus(t, "delete computed", do(t, "DELETE", fmt.Sprintf("%s/%d", target, first), "", nil), http.StatusNoContent)
	url2 := reopen()
	for _, h := range manifest(t, url2, fixturePlot).Hotspots {
		if h.ID == first || h.ID == made.ID {
			t.Errorf("hotspot %d is still in the catalog", h.ID)
		}
	}
}

func TestCreateHotspot_RejectsBadBodiesAndUnknownPlots(t *testing.T) {
	_, url := serve(t, openCatalog(t, false), Options{})
	target := url + "/api/plots/" + fixturePlot + "/hotspots"
	cases := []struct {
		what, body string
		status     int
		parts      []string
	}{
		{"no members", `{"label":"x"}`, http.StatusBadRequest, []string{"members"}},
		{"empty members", `{"label":"x","members":[]}`, http.StatusBadRequest, []string{"members"}},
		{"no label", `{"members":[1]}`, http.StatusBadRequest, []string{"label"}},
		{"blank label", `{"label":"  ","members":[1]}`, http.StatusBadRequest, []string{"label"}},
		{"fractional member", `{"label":"x","members":[1.5]}`, http.StatusBadRequest, nil},
		{"member out of range", fmt.Sprintf(`{"label":"x","members":[0,%d]}`, servertest.Images), http.StatusBadRequest, []string{"member"}},
		{"negative member", `{"label":"x","members":[-1]}`, http.StatusBadRequest, []string{"member"}},
		{"unknown field", `{"label":"x","members":[1],"color":"red"}`, http.StatusBadRequest, nil},
		{"not JSON", `label=x`, http.StatusBadRequest, nil},
	}
	for _, c := range cases {
		wantStatus(t, c.what, do(t, "POST", target, "application/json", strings.NewReader(c.body)), c.status, c.parts...)
	}
	// A lasso over a large plot sends more than the 64 KiB other bodies may have.
	var every []int
	for range 2000 {
		every = append(every, servertest.Images-1, 0)
	}
	r := sendJSON(t, "POST", target, map[string]any{"label": "everything", "members": slices.Repeat(every, 10)})
	wantStatus(t, "a large selection", r, http.StatusCreated)
	if !strings.Contains(string(r.body), `"size":2`) {
		t.Errorf("repeated members counted more than once: %.200s", r.body)
	}
	wantStatus(t, "unknown plot", sendJSON(t, "POST", url+"/api/plots/nope/hotspots", map[string]any{"label": "x", "members": []int{1}}), http.StatusNotFound)
	wantStatus(t, "unknown plot delete", do(t, "DELETE", url+"/api/plots/nope/hotspots/1", "", nil), http.StatusNotFound)
	wantStatus(t, "bad id", do(t, "DELETE", target+"/one", "", nil), http.StatusBadRequest)
	wantStatus(t, "unknown hotspot", do(t, "DELETE", target+"/999", "", nil), http.StatusNotFound)
}

func TestHotspotEdits_ForbiddenOnAReadOnlyServer(t *testing.T) {
	url := readOnlyServer(t)
	target := url + "/api/plots/" + fixturePlot + "/hotspots"
	before := manifest(t, url, fixturePlot).Hotspots
	wantStatus(t, "create", sendJSON(t, "POST", target, map[string]any{"label": "x", "members": []int{1}}), http.StatusForbidden, "read-only")
	wantStatus(t, "delete", do(t, "DELETE", fmt.Sprintf("%s/%d", target, before[0].ID), "", nil), http.StatusForbidden, "read-only")
	for _, body := range []map[string]any{{"label": "x"}, {"rank": 0}, {"exemplar": before[0].Exemplars[0]}} {
		wantStatus(t, fmt.Sprint("edit ", body), sendJSON(t, "PATCH", fmt.Sprintf("%s/%d", target, before[0].ID), body), http.StatusForbidden, "read-only")
	}
	if got := manifest(t, url, fixturePlot).Hotspots; len(got) != len(before) {
		t.Errorf("%d hotspots, want %d", len(got), len(before))
	}
}

// hotspotIDs are the ids of the plot's hotspots in the manifest's order.
func hotspotIDs(t *testing.T, url string) []int {
	t.Helper()
	var ids []int
	for _, h := range manifest(t, url, fixturePlot).Hotspots {
		ids = append(ids, h.ID)
	}
	return ids
}

// addHotspots makes n one-image hotspots so the plot has several to order.
func addHotspots(t *testing.T, url string, n int) {
	t.Helper()
	for k := range n {
		r := sendJSON(t, "POST", url+"/api/plots/"+fixturePlot+"/hotspots", map[string]any{"label": fmt.Sprint("extra ", k), "members": []int{k}})
		wantStatus(t, "create", r, http.StatusCreated)
	}
}

func TestEditHotspot_RankAndExemplarPersistInTheCatalog(t *testing.T) {
	url, reopen := servePersisting(t)
	addHotspots(t, url, 2)
	order := hotspotIDs(t, url)
	last := order[len(order)-1]
	target := fmt.Sprintf("%s/api/plots/%s/hotspots/%d", url, fixturePlot, last)

	r := sendJSON(t, "PATCH", target, map[string]any{"rank": 0})
	wantStatus(t, "move to the top", r, http.StatusOK)
	var moved catalog.Hotspot
	if err := json.Unmarshal(r.body, &moved); err != nil || moved.ID != last || moved.Label != "extra 1" || len(moved.Members) != 1 {
		t.Errorf("answer %s (%v): want the moved hotspot", r.body, err)
	}
	want := append([]int{last}, order[:len(order)-1]...)
	if got := hotspotIDs(t, url); !slices.Equal(got, want) {
		t.Errorf("manifest order %v, want %v", got, want)
	}

	m := manifest(t, url, fixturePlot)
	first := m.Hotspots[1] // a computed hotspot
	if len(first.Members) < 2 {
		t.Fatalf("computed hotspot %d has %d members", first.ID, len(first.Members))
	}
	var image int64 // a member that is not the representative
	for _, pos := range first.Members {
		if m.Images[pos] != first.Exemplars[0] {
			image = m.Images[pos]
			break
		}
	}
	target = fmt.Sprintf("%s/api/plots/%s/hotspots/%d", url, fixturePlot, first.ID)
	r = sendJSON(t, "PATCH", target, map[string]any{"exemplar": image, "label": "Renamed", "rank": len(order) - 1})
	wantStatus(t, "new representative, label and place", r, http.StatusOK)
	var edited catalog.Hotspot
	if err := json.Unmarshal(r.body, &edited); err != nil || edited.Label != "Renamed" || len(edited.Exemplars) == 0 || edited.Exemplars[0] != image {
		t.Errorf("answer %s (%v): want label Renamed and exemplar %d first", r.body, err, image)
	}

	url2 := reopen()
	hotspots := manifest(t, url2, fixturePlot).Hotspots
	stored := hotspots[len(hotspots)-1]
	if stored.ID != first.ID || stored.Label != "Renamed" || stored.Exemplars[0] != image || hotspots[0].ID != last {
		t.Errorf("reopened catalog lists %+v last and %d first; want hotspot %d renamed with exemplar %d last and %d first",
			stored, hotspots[0].ID, first.ID, image, last)
	}
}

func TestEditHotspot_RejectsBadFieldsAndUnknownHotspots(t *testing.T) {
	_, url := serve(t, openCatalog(t, false), Options{})
	m := manifest(t, url, fixturePlot)
	h := m.Hotspots[0]
	inHotspot := map[int]bool{}
	for _, pos := range h.Members {
		inHotspot[pos] = true
	}
	outsider := -1 // an image of the plot that is not a member
	for pos := range m.Images {
		if !inHotspot[pos] {
			outsider = pos
			break
		}
	}
	if outsider < 0 {
		t.Fatal("hotspot 0 holds every image")
	}
	target := fmt.Sprintf("%s/api/plots/%s/hotspots/%d", url, fixturePlot, h.ID)
	n := len(m.Hotspots)
	for _, c := range []struct {
		what, body string
		parts      []string
	}{
		{"nothing to change", `{}`, []string{"label", "rank", "exemplar"}},
		{"only nulls", `{"rank":null}`, []string{"at least one"}},
		{"unknown field", `{"rank":0,"colour":"red"}`, []string{`"colour"`}},
		{"rank a string", `{"rank":"1"}`, []string{"rank", "whole number"}},
		{"rank a fraction", `{"rank":0.5}`, []string{"rank", "whole number"}},
		{"rank negative", `{"rank":-1}`, []string{"rank -1", fmt.Sprintf("hotspot %d", h.ID)}},
		{"rank past the end", fmt.Sprintf(`{"rank":%d}`, n), []string{fmt.Sprintf("rank %d", n), fmt.Sprintf("0 to %d", n-1)}},
		{"exemplar a string", `{"exemplar":"7"}`, []string{"exemplar", "whole number"}},
		{"exemplar not a member", fmt.Sprintf(`{"exemplar":%d}`, m.Images[outsider]), []string{fmt.Sprintf("image %d", m.Images[outsider]), fmt.Sprintf("hotspot %d", h.ID)}},
		{"exemplar not in the plot", `{"exemplar":999999}`, []string{"image 999999"}},
		{"label a number", `{"label":3}`, []string{"label", "string"}},
		{"blank label", `{"label":"  ","rank":0}`, []string{"label"}},
	} {
		wantStatus(t, c.what, do(t, "PATCH", target, "application/json", strings.NewReader(c.body)), http.StatusBadRequest, c.parts...)
	}
	if after := manifest(t, url, fixturePlot).Hotspots[0]; after.ID != h.ID || after.Label != h.Label || !slices.Equal(after.Exemplars, h.Exemplars) {
		t.Errorf("refused edits changed the hotspot: %+v, was %+v", after, h)
	}
	wantStatus(t, "unknown hotspot", sendJSON(t, "PATCH", url+"/api/plots/"+fixturePlot+"/hotspots/999", map[string]int{"rank": 0}), http.StatusNotFound, "hotspot 999")
	wantStatus(t, "unknown plot", sendJSON(t, "PATCH", url+"/api/plots/nope/hotspots/1", map[string]int{"rank": 0}), http.StatusNotFound, "nope")
	wantStatus(t, "bad hotspot id", sendJSON(t, "PATCH", url+"/api/plots/"+fixturePlot+"/hotspots/-1", map[string]int{"rank": 0}), http.StatusBadRequest)
}
