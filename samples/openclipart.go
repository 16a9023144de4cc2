package samples

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/registry"
)

const (
	openclipartPackage = "openclipart-png"
	openclipartVersion = "1:0.18+dfsg-19"
	openclipartSHA256  = "f07f1545a2970c2cf3fa339bc2405da1a95cf2b1827bfa05bf73eb1c20291c02"
	openclipartRoot    = "usr/share/openclipart/png/"
	openclipartLicense = "public domain (Open Clip Art Library)"
)

var openclipartSource = source{
	name:    Openclipart,
	pkg:     openclipartPackage + "=" + openclipartVersion,
	license: openclipartLicense,
	download: func(ctx context.Context, dir string, opt Options) (string, error) {
		return aptDownload(ctx, openclipartPackage, openclipartVersion, openclipartSHA256, dir, opt)
	},
	unpack: unpackOpenclipart,
}

// clipart is what the package says about one PNG file.
type clipart struct {
	text    map[string]string // the PNG's tEXt chunks: Title, Author, Description, Creation Time
	linkDir []string          // folders (below the PNG root) of symlinks to this file
}

// unpackOpenclipart writes the package's PNG files (not its symlinks, which repeat
// a file under a second folder) to imagesDir and maps them to records. The folder
// below the PNG root is the category; deeper folders, and the folders of symlinks
// to the file, become tags; the PNG's Title/Description text becomes the description.
func unpackOpenclipart(ctx context.Context, archive, imagesDir string, opt Options) ([]Record, error) {
	files := map[string]*clipart{}
	links := map[string]string{} // symlink path → target path, both below the PNG root
	err := registry.WalkDeb(ctx, archive, func(name string, hdr *tar.Header, body io.Reader) error {
		rel, ok := strings.CutPrefix(name, openclipartRoot)
		if !ok || !strings.HasSuffix(rel, ".png") {
			return nil
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			links[rel] = path.Join(path.Dir(rel), hdr.Linkname)
		case tar.TypeReg:
			data, err := io.ReadAll(body)
			if err != nil {
				return err
			}
			text, err := pngText(data)
			if err != nil {
				return err
			}
			files[rel] = &clipart{text: text}
			return writeUnder(imagesDir, rel, bytes.NewReader(data))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("samples: %s has no PNG files under %s", archive, openclipartRoot)
	}
	for link, target := range links {
		if file := files[resolveLink(target, links)]; file != nil {
			file.linkDir = append(file.linkDir, path.Dir(link))
		}
	}
	var records []Record
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		records = append(records, clipartRecord(rel, files[rel]))
	}
	return records, nil
}

// resolveLink follows symlinks that point at other symlinks (a few levels at most).
func resolveLink(target string, links map[string]string) string {
	for range 8 {
		next, ok := links[target]
		if !ok {
			return target
		}
		target = next
	}
	return target
}

func clipartRecord(rel string, c *clipart) Record {
	folders := strings.Split(path.Dir(rel), "/")
	category := folders[0]
	tags := slices.Clone(folders[1:])
	slices.Sort(c.linkDir)
	for _, dir := range c.linkDir {
		tags = append(tags, strings.Split(dir, "/")...)
	}
	tags = slices.DeleteFunc(tags, func(t string) bool { return t == category })

	title, description := c.text["Title"], c.text["Description"]
	summary := title
	switch {
	case title == "":
		summary = strings.ReplaceAll(strings.TrimSuffix(path.Base(rel), ".png"), "_", " ")
		if description != "" {
			summary = description
		}
	case description != "" && description != title:
		summary = title + " — " + description
	}
	created := c.text["Creation Time"]
	return Record{
		Filename: rel,
		Meta: pixplot.Metadata{
			Category:    category,
			Label:       category,
			Description: summary,
			Year:        yearIn(created),
			Tags:        uniqueTags(tags),
			Extra: map[string]string{
				"title":   title,
				"author":  c.text["Author"],
				"created": created,
				"license": openclipartLicense,
				"source":  "Debian " + openclipartPackage + " " + openclipartVersion,
			},
		},
	}
}

var yearPattern = regexp.MustCompile(`\b(19[7-9][0-9]|20[0-4][0-9])\b`)

// yearIn finds a four-digit year in free-form date text ("19 08 2005", "2005-08-19").
func yearIn(date string) *int {
	m := yearPattern.FindString(date)
	if m == "" {
		return nil
	}
	year, _ := strconv.Atoi(m)
	return &year
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngText returns the tEXt chunks of a PNG file, keyword → text. tEXt is Latin-1 by
// the PNG specification, but some writers store UTF-8, which is kept as is. Runs of
// white space are folded into one space.
func pngText(data []byte) (map[string]string, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errors.New("not a PNG file")
	}
	text := map[string]string{}
	rest := data[len(pngSignature):]
	for {
		if len(rest) < 12 {
			return nil, errors.New("PNG file ends before its IEND chunk")
		}
		size := binary.BigEndian.Uint32(rest)
		kind := string(rest[4:8])
		if uint64(size)+12 > uint64(len(rest)) {
			return nil, fmt.Errorf("PNG chunk %q of %d bytes runs past the end of the file", kind, size)
		}
		body := rest[8 : 8+size]
		rest = rest[12+size:]
		if kind == "IEND" {
			return text, nil
		}
		if kind != "tEXt" {
			continue
		}
		keyword, value, ok := bytes.Cut(body, []byte{0})
		if !ok {
			continue
		}
		text[string(keyword)] = strings.Join(strings.Fields(latin1OrUTF8(value)), " ")
	}
}

func latin1OrUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	runes := make([]rune, len(b))
	for i, c := range b {
		runes[i] = rune(c)
	}
	return string(runes)
}

// uniqueTags drops empty and repeated tags (keeping the first) and any "|", which
// separates tags in metadata.csv.
func uniqueTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(strings.ReplaceAll(t, "|", "/"))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
