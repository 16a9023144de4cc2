package iiif

import (
	"fmt"
	"strings"
)

// parseManifest3 reads a Presentation 3 manifest: canvases are "items", each
// with annotation pages whose painting annotations carry the images.
func parseManifest3(root map[string]any) Manifest {
	m := Manifest{
		ID:       id(root),
		Version:  3,
		Label:    text3(root["label"]),
		Summary:  text3(root["summary"]),
		Rights:   str(root["rights"]),
		NavDate:  str(root["navDate"]),
		Metadata: pairs(root["metadata"], text3),
	}
	if rs := object(root["requiredStatement"]); rs != nil {
		m.Attribution = text3(rs["value"])
	}
	for _, h := range objects(root["homepage"]) {
		if m.Homepage = id(h); m.Homepage != "" {
			break
		}
	}
	for i, canvas := range objects(root["items"]) {
		if t := resourceType(canvas); t != "Canvas" && t != "" {
			continue
		}
		before := len(m.Images)
		for _, page := range objects(canvas["items"]) {
			annotations := objects(page["items"])
			if len(annotations) == 0 && id(page) != "" {
				m.Problems = append(m.Problems, fmt.Sprintf("canvas %d: annotation page %s is referenced, not embedded; skipped", i+1, id(page)))
			}
			for _, a := range annotations {
				if mot := strings.Join(stringsOf(a["motivation"]), " "); mot != "" && !strings.Contains(mot, "painting") {
					continue
				}
				for _, body := range objects(a["body"]) {
					if img, ok := imageResource3(body); ok {
						m.Images = append(m.Images, withCanvas(img, canvas, text3))
					}
				}
			}
		}
		if len(m.Images) == before {
			m.Problems = append(m.Problems, fmt.Sprintf("canvas %d (%s) has no image", i+1, id(canvas)))
		}
	}
	return m
}

// imageResource3 reads an annotation body: an Image, the first Image of a
// Choice, or the source of a SpecificResource.
func imageResource3(body map[string]any) (Image, bool) {
	switch resourceType(body) {
	case "Choice":
		for _, item := range objects(body["items"]) {
			if img, ok := imageResource3(item); ok {
				return img, true
			}
		}
		return Image{}, false
	case "SpecificResource":
		return imageResource3(object(body["source"]))
	case "Image", "dctypes:Image", "":
		img := Image{
			ResourceID: id(body),
			Format:     str(body["format"]),
			Width:      dimension(body["width"]),
			Height:     dimension(body["height"]),
		}
		img.Service, img.ServiceVersion, img.Level = imageService(body["service"])
		return img, img.ResourceID != "" || img.Service != ""
	}
	return Image{}, false
}

// parseManifest2 reads a Presentation 2 manifest: sequences of canvases whose
// "images" annotations carry a resource each.
func parseManifest2(root map[string]any) Manifest {
	m := Manifest{
		ID:          id(root),
		Version:     2,
		Label:       text2(root["label"]),
		Summary:     text2(root["description"]),
		Attribution: text2(root["attribution"]),
		NavDate:     str(root["navDate"]),
		Metadata:    pairs(root["metadata"], text2),
	}
	m.Rights = firstLink(root["license"])
	m.Homepage = firstLink(root["related"])
	seen := map[string]bool{} // canvases repeated by further sequences
	for _, seq := range objects(root["sequences"]) {
		for i, canvas := range objects(seq["canvases"]) {
			cid := id(canvas)
			if cid != "" && seen[cid] {
				continue
			}
			seen[cid] = true
			before := len(m.Images)
			for _, a := range objects(canvas["images"]) {
				if mot := str(a["motivation"]); mot != "" && !strings.Contains(mot, "painting") {
					continue
				}
				if img, ok := imageResource2(object(a["resource"])); ok {
					m.Images = append(m.Images, withCanvas(img, canvas, text2))
				}
			}
			if len(m.Images) == before {
				m.Problems = append(m.Problems, fmt.Sprintf("canvas %d (%s) has no image", i+1, cid))
			}
		}
	}
	return m
}

// imageResource2 reads a v2 image resource, an oa:Choice (its default), or an
// oa:SpecificResource (its full resource).
func imageResource2(res map[string]any) (Image, bool) {
	if res == nil {
		return Image{}, false
	}
	switch str(res["@type"]) {
	case "oa:Choice":
		if img, ok := imageResource2(object(res["default"])); ok {
			return img, true
		}
		for _, item := range objects(res["item"]) {
			if img, ok := imageResource2(item); ok {
				return img, true
			}
		}
		return Image{}, false
	case "oa:SpecificResource":
		return imageResource2(object(res["full"]))
	case "dctypes:Image", "Image", "":
	default:
		return Image{}, false // text, audio, video
	}
	img := Image{
		ResourceID: id(res),
		Format:     str(res["format"]),
		Width:      dimension(res["width"]),
		Height:     dimension(res["height"]),
	}
	img.Service, img.ServiceVersion, img.Level = imageService(res["service"])
	return img, img.ResourceID != "" || img.Service != ""
}

// withCanvas fills in what the canvas says about its image.
func withCanvas(img Image, canvas map[string]any, text func(any) string) Image {
	img.Canvas = id(canvas)
	img.CanvasLabel = text(canvas["label"])
	if img.Width == 0 || img.Height == 0 {
		img.Width, img.Height = dimension(canvas["width"]), dimension(canvas["height"])
	}
	return img
}

// pairs reads a metadata list of {label, value} entries; entries without a
// label are kept under an empty label only if they have a value.
func pairs(v any, text func(any) string) []Pair {
	var out []Pair
	for _, entry := range objects(v) {
		p := Pair{Label: strings.TrimSpace(text(entry["label"])), Value: strings.TrimSpace(text(entry["value"]))}
		if p.Label != "" || p.Value != "" {
			out = append(out, p)
		}
	}
	return out
}

// firstLink reads a v2 link property: a URL string, an object with @id, or a list of those.
func firstLink(v any) string {
	if s := str(v); s != "" {
		return s
	}
	if ss := stringsOf(v); len(ss) > 0 {
		return ss[0]
	}
	for _, o := range objects(v) {
		if s := id(o); s != "" {
			return s
		}
	}
	return ""
}

// parseCollection3 lists a v3 collection's items by type.
func parseCollection3(root map[string]any) Collection {
	c := Collection{ID: id(root), Label: text3(root["label"])}
	for _, item := range objects(root["items"]) {
		switch resourceType(item) {
		case "Manifest":
			c.Manifests = appendNonEmpty(c.Manifests, id(item))
		case "Collection":
			c.Collections = appendNonEmpty(c.Collections, id(item))
		}
	}
	return c
}

// parseCollection2 lists a v2 collection's manifests, collections and members,
// and the first/next links of a paged collection.
func parseCollection2(root map[string]any) Collection {
	c := Collection{ID: id(root), Label: text2(root["label"])}
	for _, m := range objects(root["manifests"]) {
		c.Manifests = appendNonEmpty(c.Manifests, id(m))
	}
	for _, sub := range objects(root["collections"]) {
		c.Collections = appendNonEmpty(c.Collections, id(sub))
	}
	for _, member := range objects(root["members"]) {
		switch resourceType(member) {
		case "Manifest":
			c.Manifests = appendNonEmpty(c.Manifests, id(member))
		case "Collection":
			c.Collections = appendNonEmpty(c.Collections, id(member))
		}
	}
	// A paged collection's top document links its first page; each page links the next.
	if len(c.Manifests) == 0 && len(c.Collections) == 0 {
		c.Pages = appendNonEmpty(c.Pages, firstLink(root["first"]))
	}
	c.Pages = appendNonEmpty(c.Pages, firstLink(root["next"]))
	return c
}

func appendNonEmpty(list []string, s string) []string {
	if s == "" {
		return list
	}
	return append(list, s)
}
