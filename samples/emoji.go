package samples

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/registry"
)

const (
	emojiPackage = "emoji-datasource-google@16.0.0"
	emojiSHA256  = "fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438"
	emojiImages  = "package/img/google/64/"
	emojiLicense = "images Apache-2.0 (Noto Emoji), data MIT (emoji-data)"
)

var emojiSource = source{
	name:    Emoji,
	pkg:     emojiPackage,
	license: emojiLicense,
	download: func(ctx context.Context, dir string, opt Options) (string, error) {
		return registry.NPMPack(ctx, emojiPackage, emojiSHA256, dir, opt.Progress)
	},
	unpack: unpackEmoji,
	keep: func(r Record, opt Options) bool {
		return opt.SkinTones || r.Meta.Extra["skin_tone"] == ""
	},
}

// emojiYears maps an Emoji version (emoji.json `added_in`) to the year it was
// released. Emoji 0.6 and 0.7 are the emoji that came with Unicode 6.0 and 7.0.
var emojiYears = map[string]int{
	"0.6": 2010, "0.7": 2014,
	"1.0": 2015, "2.0": 2015,
	"3.0": 2016, "4.0": 2016,
	"5.0":  2017,
	"11.0": 2018,
	"12.0": 2019, "12.1": 2019,
	"13.0": 2020, "13.1": 2020,
	"14.0": 2021,
	"15.0": 2022,
	"15.1": 2023,
	"16.0": 2024,
}

// skinToneNames are the CLDR names of the Fitzpatrick modifiers.
var skinToneNames = map[string]string{
	"1F3FB": "light skin tone",
	"1F3FC": "medium-light skin tone",
	"1F3FD": "medium skin tone",
	"1F3FE": "medium-dark skin tone",
	"1F3FF": "dark skin tone",
}

// emojiEntry is the part of an emoji.json entry the sample uses.
type emojiEntry struct {
	Name           string                  `json:"name"`
	Unified        string                  `json:"unified"`
	Image          string                  `json:"image"`
	ShortName      string                  `json:"short_name"`
	ShortNames     []string                `json:"short_names"`
	Category       string                  `json:"category"`
	Subcategory    string                  `json:"subcategory"`
	SortOrder      int                     `json:"sort_order"`
	AddedIn        string                  `json:"added_in"`
	HasImgGoogle   bool                    `json:"has_img_google"`
	SkinVariations map[string]emojiVariant `json:"skin_variations"`
}

type emojiVariant struct {
	Unified      string `json:"unified"`
	Image        string `json:"image"`
	AddedIn      string `json:"added_in"`
	HasImgGoogle bool   `json:"has_img_google"`
}

// unpackEmoji writes every 64 px Google image to imagesDir and maps emoji.json to
// records: base emoji first (by sort order), each followed by its skin-tone variants.
func unpackEmoji(ctx context.Context, archive, imagesDir string, opt Options) ([]Record, error) {
	var table []byte
	stored := map[string]bool{}
	err := registry.WalkTarGz(ctx, archive, func(name string, hdr *tar.Header, body io.Reader) error {
		switch {
		case name == "package/emoji.json":
			b, err := io.ReadAll(body)
			table = b
			return err
		case hdr.Typeflag == tar.TypeReg && path.Dir(name)+"/" == emojiImages && strings.HasSuffix(name, ".png"):
			stored[path.Base(name)] = true
			return writeUnder(imagesDir, path.Base(name), body)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	if table == nil {
		return nil, fmt.Errorf("samples: %s has no package/emoji.json", archive)
	}
	records, err := emojiRecords(table)
	if err != nil {
		return nil, err
	}
	for _, r := range records {
		if !stored[r.Filename] {
			return nil, fmt.Errorf("samples: %s has no image %s%s for %q", archive, emojiImages, r.Filename, r.Meta.Description)
		}
	}
	return records, nil
}

// emojiRecords maps the entries of emoji.json that have a Google image to records.
func emojiRecords(table []byte) ([]Record, error) {
	var entries []emojiEntry
	if err := json.Unmarshal(table, &entries); err != nil {
		return nil, fmt.Errorf("samples: emoji.json: %w", err)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].SortOrder < entries[j].SortOrder })
	var records []Record
	for _, e := range entries {
		if !e.HasImgGoogle {
			continue
		}
		base, err := emojiRecord(e, e.Unified, e.Image, e.AddedIn, "")
		if err != nil {
			return nil, err
		}
		records = append(records, base)
		for _, tone := range slices.Sorted(maps.Keys(e.SkinVariations)) {
			v := e.SkinVariations[tone]
			if !v.HasImgGoogle {
				continue
			}
			variant, err := emojiRecord(e, v.Unified, v.Image, v.AddedIn, tone)
			if err != nil {
				return nil, err
			}
			records = append(records, variant)
		}
	}
	return records, nil
}

// emojiRecord maps one emoji (tone "" for the base form) to a record.
func emojiRecord(e emojiEntry, unified, image, addedIn, tone string) (Record, error) {
	year, ok := emojiYears[addedIn]
	if !ok {
		return Record{}, fmt.Errorf("samples: emoji.json: %q (%s) has added_in %q, which has no known release year", e.Name, unified, addedIn)
	}
	char, err := emojiText(unified)
	if err != nil {
		return Record{}, fmt.Errorf("samples: emoji.json: %q: %w", e.Name, err)
	}
	description := emojiDescription(e.Name)
	tags := append([]string{e.Subcategory}, e.ShortNames...)
	if tone != "" {
		toneNames, err := skinTones(tone)
		if err != nil {
			return Record{}, fmt.Errorf("samples: emoji.json: %q: %w", e.Name, err)
		}
		description += ": " + strings.Join(toneNames, ", ")
		tags = append(tags, toneNames...)
	}
	return Record{
		Filename: image,
		Meta: pixplot.Metadata{
			Category:    e.Category,
			Label:       e.Category,
			Description: description,
			Year:        &year,
			Tags:        uniqueTags(tags),
			Extra: map[string]string{
				"emoji":         char,
				"unified":       unified,
				"short_name":    e.ShortName,
				"subcategory":   e.Subcategory,
				"emoji_version": addedIn,
				"sort_order":    strconv.Itoa(e.SortOrder),
				"skin_tone":     tone,
				"license":       emojiLicense,
				"source":        "npm " + emojiPackage,
			},
		},
	}, nil
}

// emojiDescription turns the all-capital Unicode names ("GRINNING FACE") into
// sentence case ("Grinning face"); names already in mixed case ("Egypt Flag") stay.
func emojiDescription(name string) string {
	if strings.ToUpper(name) != name {
		return name
	}
	lower := strings.ToLower(name)
	first, size := utf8.DecodeRuneInString(lower)
	return string(unicode.ToUpper(first)) + lower[size:]
}

// emojiText turns a code point sequence ("1F1EA-1F1EC") into the emoji's text.
func emojiText(unified string) (string, error) {
	var b strings.Builder
	for _, hex := range strings.Split(unified, "-") {
		cp, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || !utf8.ValidRune(rune(cp)) {
			return "", fmt.Errorf("bad code point %q in %q", hex, unified)
		}
		b.WriteRune(rune(cp))
	}
	return b.String(), nil
}

// skinTones names the modifiers of a skin_variations key ("1F3FB-1F3FC"), each once.
func skinTones(key string) ([]string, error) {
	var names []string
	for _, cp := range strings.Split(key, "-") {
		name, ok := skinToneNames[cp]
		if !ok {
			return nil, fmt.Errorf("unknown skin tone %q in %q", cp, key)
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names, nil
}
