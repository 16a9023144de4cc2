package iiif

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Image is one painted image of a canvas.
type Image struct {
	Canvas      string // canvas id
	CanvasLabel string
	ResourceID  string // the image resource's own URL (often the full-size image)
	// Service is the IIIF Image API base URL ("" when there is none).
	Service        string
	ServiceVersion int // Image API major version: 1, 2 or 3 (0 when unknown)
	Level          int // Image API compliance level; -1 when not stated
	Width, Height  int // pixel size of the image (or of its canvas) when stated
	Format         string
}

// URL is where to download the image, no larger than maxSide pixels on its
// long side where the image service can scale it. Level-0 services cannot
// scale, and a size the service cannot make is the usual failure of naive
// IIIF clients, so only sizes every level-1 service supports ("w," or ",h")
// are asked for, and only when the stated size is larger than maxSide.
func (im Image) URL(maxSide int) string {
	scalable := im.Service != "" && im.ServiceVersion >= 2 && im.Level >= 1
	if scalable && im.Width > 0 && im.Height > 0 {
		switch {
		case im.Width > maxSide && im.Width >= im.Height:
			return im.serviceURL(strconv.Itoa(maxSide) + ",")
		case im.Height > maxSide:
			return im.serviceURL("," + strconv.Itoa(maxSide))
		}
	}
	if scalable && (im.Width == 0 || im.Height == 0) && im.Level >= 2 {
		m := strconv.Itoa(maxSide)
		return im.serviceURL("!" + m + "," + m)
	}
	if im.ResourceID != "" {
		return im.ResourceID
	}
	return im.FullURL()
}

// FallbackURL is the URL to try when URL fails: the resource itself, or the
// service's full-size image. It is "" when there is nothing else to try.
func (im Image) FallbackURL(maxSide int) string {
	first := im.URL(maxSide)
	for _, u := range []string{im.ResourceID, im.FullURL()} {
		if u != "" && u != first {
			return u
		}
	}
	return ""
}

// FullURL is the service's full-size image ("" without a v2/v3 service).
func (im Image) FullURL() string {
	switch im.ServiceVersion {
	case 2:
		return im.serviceURL("full")
	case 3:
		return im.serviceURL("max")
	}
	return ""
}

func (im Image) serviceURL(size string) string {
	return strings.TrimRight(im.Service, "/") + "/full/" + size + "/0/default.jpg"
}

// imageAPISuffix matches the region/size/rotation/quality.format tail of an
// Image API URL.
var imageAPISuffix = regexp.MustCompile(`/[^/]+/[^/]+/!?\d+(\.\d+)?/[a-z]+\.[a-z0-9]+$`)

// Name is a readable file name for the image: the last segment of the image
// identifier (the service id, or the resource URL without its Image API
// region/size/rotation/quality tail), URL-decoded, with the format's extension.
func (im Image) Name() string {
	base := strings.TrimRight(im.Service, "/")
	if base == "" {
		base = imageAPISuffix.ReplaceAllString(im.ResourceID, "")
	}
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	name := path.Base(u.Path) // u.Path is already URL-decoded
	if name == "/" || name == "." {
		return ""
	}
	if !imageExtensions[strings.ToLower(path.Ext(name))] {
		name += extension(im.Format, im.ResourceID)
	}
	return name
}

var imageExtensions = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".tif": true, ".tiff": true, ".bmp": true, ".jp2": true,
}

func extension(format, resourceID string) string {
	switch format {
	case "image/png":
		return ".png"
	case "image/tiff":
		return ".tif"
	case "image/webp":
		return ".webp"
	case "image/gif":
		return ".gif"
	}
	if ext := strings.ToLower(path.Ext(resourceID)); imageExtensions[ext] {
		return ext
	}
	return ".jpg"
}

// imageService reads an Image API service reference (one object or a list;
// the first image service wins) as base URL, API version and compliance level.
func imageService(v any) (base string, version, level int) {
	for _, svc := range objects(v) {
		t := resourceType(svc)
		ctx := strings.Join(stringsOf(svc["@context"]), " ")
		profile := profileString(svc["profile"])
		switch {
		case t == "ImageService3" || strings.Contains(ctx, "iiif.io/api/image/3"):
			version = 3
		case t == "ImageService2" || strings.Contains(ctx, "iiif.io/api/image/2") || strings.Contains(profile, "iiif.io/api/image/2"):
			version = 2
		case strings.Contains(ctx, "iiif.io/api/image/1") || strings.Contains(profile, "image-api/1"):
			version = 1
		default:
			continue // not an image service (e.g. auth, search)
		}
		return id(svc), version, complianceLevel(profile)
	}
	return "", 0, -1
}

// profileString joins the string parts of a profile (a URI, a list mixing URIs
// and objects, or a v3 "levelN" token).
func profileString(v any) string {
	return strings.Join(stringsOf(v), " ")
}

var levelPattern = regexp.MustCompile(`level([0-2])`)

func complianceLevel(profile string) int {
	m := levelPattern.FindStringSubmatch(profile)
	if m == nil {
		return -1
	}
	return int(m[1][0] - '0')
}
