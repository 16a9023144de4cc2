package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"net/http"
	"testing"
	"time"
)

func TestImage_HasEveryColumnTagsAndExtraWithNullsForAbsentValues(t *testing.T) {
	url := readOnlyServer(t)
	m := manifest(t, url, fixturePlot)
	r := get(t, fmt.Sprintf("%s/api/images/%d", url, m.Images[0]))
	wantStatus(t, "image", r, http.StatusOK)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &fields); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"id", "filename", "path", "source", "width", "height", "format", "byte_size", "sha256",
		"category", "description", "permalink", "year", "label", "lat", "lng", "x", "y", "tags", "extra", "ingested_at"} {
		if _, ok := fields[name]; !ok {
			t.Errorf("no field %s in %s", name, r.body)
		}
	}
	for _, absent := range []string{"permalink", "lat", "lng", "x", "y"} {
		if string(fields[absent]) != "null" {
			t.Errorf("%s = %s, want null (the emoji have none)", absent, fields[absent])
		}
	}
	var img struct {
		ID         int64             `json:"id"`
		Format     string            `json:"format"`
		Width      int               `json:"width"`
		Category   string            `json:"category"`
		Tags       []string          `json:"tags"`
		Extra      map[string]string `json:"extra"`
		IngestedAt string            `json:"ingested_at"`
	}
	json.Unmarshal(r.body, &img)
	if img.ID != m.Images[0] || img.Format != "png" || img.Width != 64 || img.Category == "" || len(img.Tags) == 0 {
		t.Errorf("image %s", r.body)
	}
	if img.Extra["emoji"] == "" || img.Extra["unified"] == "" {
		t.Errorf("extra %v: want the metadata's other columns (emoji, unified, …)", img.Extra)
	}
	if at, err := time.Parse(time.RFC3339, img.IngestedAt); err != nil || time.Since(at) > time.Hour {
		t.Errorf("ingested_at %q: %v", img.IngestedAt, err)
	}
}

func TestImageRoutes_BadIDsAre400AndUnknownOnes404(t *testing.T) {
	url := readOnlyServer(t)
	for _, suffix := range []string{"", "/thumb", "/similar"} {
		for path, status := range map[string]int{
			"abc":                            http.StatusBadRequest,
			"0":                              http.StatusBadRequest,
			"-1":                             http.StatusBadRequest,
			"1.5":                            http.StatusBadRequest,
			"99999999999999999999999":        http.StatusBadRequest,
			"%2E%2E%2F%2E%2E%2Fetc%2Fpasswd": http.StatusNotFound, // decoded: no route has those slashes
			"..%2F..%2Fetc%2Fpasswd":         http.StatusNotFound,
			"9223372036854775807":            http.StatusNotFound,
			"99999":                          http.StatusNotFound,
		} {
			wantStatus(t, path+suffix, get(t, url+"/api/images/"+path+suffix), status)
		}
	}
}

func TestThumb_IsTheStoredJPEGOfEachSize(t *testing.T) {
	url := readOnlyServer(t)
	id := manifest(t, url, fixturePlot).Images[0]
	for size, height := range map[string]int{"cell": 32, "preview": 256, "": 256} {
		r := get(t, fmt.Sprintf("%s/api/images/%d/thumb?size=%s", url, id, size))
		wantStatus(t, size, r, http.StatusOK)
		img, err := jpeg.Decode(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("size %q: %v", size, err)
		}
		if img.Bounds().Dy() != height || r.header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("size %q: %v %s", size, img.Bounds(), r.header.Get("Content-Type"))
		}
	}
	wantStatus(t, "lod is not served", get(t, fmt.Sprintf("%s/api/images/%d/thumb?size=lod", url, id)), http.StatusBadRequest, "lod")
	wantStatus(t, "unknown size", get(t, fmt.Sprintf("%s/api/images/%d/thumb?size=huge", url, id)), http.StatusBadRequest, "huge")
}
