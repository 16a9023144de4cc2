package ingest

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/ingest/iiif"
)

// manifestMetadata maps what a IIIF manifest says onto an image's metadata,
// as the package documentation lists. Repeated labels are joined with "; ".
func manifestMetadata(manifestURL string, m *iiif.Manifest, img iiif.Image) pixplot.Metadata {
	meta := pixplot.Metadata{
		Category:  m.Label,
		Permalink: m.Homepage,
		Extra:     map[string]string{},
	}
	if meta.Permalink == "" {
		meta.Permalink = manifestURL
	}
	title := m.Label
	if img.CanvasLabel != "" && title != "" {
		title += " — " + img.CanvasLabel
	} else if img.CanvasLabel != "" {
		title = img.CanvasLabel
	}
	meta.Description = strings.TrimSpace(title + "\n\n" + m.Summary)
	for _, p := range m.Metadata {
		key := strings.ToLower(strings.TrimSpace(p.Label))
		if key == "" || p.Value == "" {
			continue
		}
		if prev, ok := meta.Extra[key]; ok {
			meta.Extra[key] = prev + "; " + p.Value
		} else {
			meta.Extra[key] = p.Value
		}
	}
	setIfAny(meta.Extra, "iiif_manifest", manifestURL)
	setIfAny(meta.Extra, "iiif_canvas", img.Canvas)
	setIfAny(meta.Extra, "iiif_canvas_label", img.CanvasLabel)
	setIfAny(meta.Extra, "attribution", m.Attribution)
	setIfAny(meta.Extra, "rights", m.Rights)
	if y, ok := manifestYear(m); ok {
		meta.Year = &y
	}
	return meta
}

func setIfAny(m map[string]string, key, value string) {
	if value != "" {
		m[key] = value
	}
}

// fourDigitYear finds a plausible year inside free text.
var fourDigitYear = regexp.MustCompile(`(?:^|[^0-9])(1[0-9]{3}|20[0-9]{2})(?:[^0-9]|$)`)

// dateLabels are the metadata labels whose value is read as a year.
var dateLabels = map[string]bool{"date": true, "year": true, "created": true, "date created": true, "datum": true}

// navDateYear reads the year of an xsd:dateTime ("1480-01-01T00:00:00Z", "-0500-…").
var navDateYear = regexp.MustCompile(`^(-?\d{4,})-`)

func manifestYear(m *iiif.Manifest) (int, bool) {
	if match := navDateYear.FindStringSubmatch(m.NavDate); match != nil {
		if y, err := strconv.Atoi(match[1]); err == nil {
			return y, true
		}
	}
	for _, p := range m.Metadata {
		if !dateLabels[strings.ToLower(strings.TrimSpace(p.Label))] {
			continue
		}
		if match := fourDigitYear.FindStringSubmatch(p.Value); match != nil {
			y, _ := strconv.Atoi(match[1])
			return y, true
		}
	}
	return 0, false
}

// mergeMetadata lays a metadata row over what the image already has (from a
// IIIF manifest): every field the row sets wins; Extra is the union.
func mergeMetadata(base *pixplot.Metadata, row pixplot.Metadata) pixplot.Metadata {
	if base == nil {
		return row
	}
	out := *base
	out.Extra = map[string]string{}
	for k, v := range base.Extra {
		out.Extra[k] = v
	}
	for k, v := range row.Extra {
		out.Extra[k] = v
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&out.Category, row.Category}, {&out.Description, row.Description},
		{&out.Permalink, row.Permalink}, {&out.Label, row.Label},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	if row.Year != nil {
		out.Year = row.Year
	}
	for _, f := range []struct {
		dst **float64
		src *float64
	}{
		{&out.Lat, row.Lat}, {&out.Lng, row.Lng}, {&out.X, row.X}, {&out.Y, row.Y},
	} {
		if f.src != nil {
			*f.dst = f.src
		}
	}
	if len(row.Tags) > 0 {
		out.Tags = row.Tags
	}
	return out
}
