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
	path := servertest.Copy(t)
	cat, err := catalog.Open(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, url := serve(t, cat, Options{})
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
	cat.Close()
	reopened, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	_, url2 := serve(t, reopened, Options{ReadOnly: true})
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
	if got := manifest(t, url, fixturePlot).Hotspots; len(got) != len(before) {
		t.Errorf("%d hotspots, want %d", len(got), len(before))
	}
}
