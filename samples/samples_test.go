package samples_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/samples"
)

// records fetches a sample's records through the shared cache. Without npm or
// apt-get, or without the registries, it skips, except on CI where the samples
// must be reachable.
func records(t *testing.T, name string, opt samples.Options) []samples.Record {
	t.Helper()
	got, err := samples.Records(context.Background(), name, opt)
	if err != nil {
		failOrSkip(t, err)
	}
	return got
}

func failOrSkip(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, samples.ErrToolMissing) || errors.Is(err, samples.ErrDownload) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sample data unavailable on CI: %v", err)
		}
		t.Skipf("sample data unavailable: %v", err)
	}
	t.Fatal(err)
}

func find(t *testing.T, records []samples.Record, filename string) samples.Record {
	t.Helper()
	for _, r := range records {
		if r.Filename == filename {
			return r
		}
	}
	t.Fatalf("no record %s", filename)
	return samples.Record{}
}

func yearOf(r samples.Record) int {
	if r.Meta.Year == nil {
		return 0
	}
	return *r.Meta.Year
}

func TestEmoji_TakesBaseEmojiOnlyByDefault(t *testing.T) {
	got := records(t, samples.Emoji, samples.Options{})
	if len(got) != 1911 {
		t.Errorf("%d emoji, want the 1,911 base emoji", len(got))
	}
	for _, r := range got {
		if r.Meta.Extra["skin_tone"] != "" {
			t.Fatalf("%s is a skin-tone variant", r.Filename)
		}
	}
}

func TestEmoji_YearIsTheEmojiVersionsReleaseYear(t *testing.T) {
	perYear := map[int]int{}
	for _, r := range records(t, samples.Emoji, samples.Options{}) {
		perYear[yearOf(r)]++
	}
	want := map[int]int{2010: 719, 2014: 139, 2015: 175 + 271, 2016: 72 + 113, 2017: 79, 2018: 77,
		2019: 75 + 23, 2020: 67 + 7, 2021: 37, 2022: 21, 2023: 28, 2024: 8}
	if fmt.Sprint(perYear) != fmt.Sprint(want) {
		t.Errorf("emoji per year\n got %v\nwant %v", perYear, want)
	}
}

func TestEmoji_CategoryIsLabelAndSubcategoryAndShortNamesAreTags(t *testing.T) {
	all := records(t, samples.Emoji, samples.Options{})
	perCategory := map[string]int{}
	for _, r := range all {
		perCategory[r.Meta.Category]++
		if r.Meta.Label != r.Meta.Category {
			t.Fatalf("%s: label %q, category %q", r.Filename, r.Meta.Label, r.Meta.Category)
		}
	}
	want := map[string]int{"Activities": 85, "Animals & Nature": 159, "Component": 5, "Flags": 270,
		"Food & Drink": 131, "Objects": 264, "People & Body": 386, "Smileys & Emotion": 169,
		"Symbols": 224, "Travel & Places": 218}
	if fmt.Sprint(perCategory) != fmt.Sprint(want) {
		t.Errorf("emoji per category\n got %v\nwant %v", perCategory, want)
	}

	grinning := find(t, all, "1f600.png")
	if m := grinning.Meta; m.Description != "Grinning face" || m.Category != "Smileys & Emotion" ||
		!slices.Equal(m.Tags, []string{"face-smiling", "grinning"}) || yearOf(grinning) != 2015 ||
		m.Extra["emoji"] != "😀" || m.Extra["unified"] != "1F600" || m.Extra["emoji_version"] != "1.0" {
		t.Errorf("1f600.png = %+v, year %d", m, yearOf(grinning))
	}
	thumbsUp := find(t, all, "1f44d.png")
	if !slices.Equal(thumbsUp.Meta.Tags, []string{"hand-fingers-closed", "+1", "thumbsup"}) {
		t.Errorf("1f44d.png tags = %q", thumbsUp.Meta.Tags)
	}
	egypt := find(t, all, "1f1ea-1f1ec.png")
	if egypt.Meta.Description != "Egypt Flag" || egypt.Meta.Permalink != "" {
		t.Errorf("1f1ea-1f1ec.png = %+v", egypt.Meta)
	}
}

func TestEmoji_SkinTonesOptionAddsTheVariants(t *testing.T) {
	all := records(t, samples.Emoji, samples.Options{SkinTones: true})
	if len(all) != 3786 {
		t.Errorf("%d emoji with skin tones, want 3,786", len(all))
	}
	santa := find(t, all, "1f385-1f3fd.png")
	if m := santa.Meta; m.Description != "Father christmas: medium skin tone" ||
		!slices.Contains(m.Tags, "medium skin tone") || m.Extra["skin_tone"] != "1F3FD" || yearOf(santa) != 2015 {
		t.Errorf("1f385-1f3fd.png = %+v, year %d", m, yearOf(santa))
	}
}

func TestEmoji_LimitIsBalancedOverCategories(t *testing.T) {
	got := records(t, samples.Emoji, samples.Options{Limit: 100, Seed: 1})
	perCategory := map[string]int{}
	for _, r := range got {
		perCategory[r.Meta.Category]++
	}
	// Component has only 5; the other 95 go 11 to the five largest categories, 10 to the rest.
	want := map[string]int{"Activities": 10, "Animals & Nature": 10, "Component": 5, "Flags": 11,
		"Food & Drink": 10, "Objects": 11, "People & Body": 11, "Smileys & Emotion": 10,
		"Symbols": 11, "Travel & Places": 11}
	if fmt.Sprint(perCategory) != fmt.Sprint(want) {
		t.Errorf("per category\n got %v\nwant %v", perCategory, want)
	}
}

func TestOpenclipart_CategoryIsTheTopFolder(t *testing.T) {
	perCategory := map[string]int{}
	for _, r := range records(t, samples.Openclipart, samples.Options{}) {
		if top, _, _ := strings.Cut(r.Filename, "/"); top != r.Meta.Category || r.Meta.Label != top {
			t.Fatalf("%s: category %q, label %q", r.Filename, r.Meta.Category, r.Meta.Label)
		}
		perCategory[r.Meta.Category]++
	}
	// Regular files only: the package's 1,221 symlinks repeat files under other folders.
	want := map[string]int{"animals": 286, "buildings": 68, "buttons": 3, "computer": 1797,
		"containers": 16, "decorations": 26, "education": 44, "electronics": 37, "food": 330,
		"geography": 130, "logos": 7, "office": 107, "people": 345, "plants": 66, "recreation": 487,
		"science": 18, "shapes": 1582, "signs_and_symbols": 1004, "special": 104, "tools": 123,
		"transportation": 170, "unsorted": 150}
	if fmt.Sprint(perCategory) != fmt.Sprint(want) {
		t.Errorf("openclipart per category\n got %v\nwant %v", perCategory, want)
	}
}

func TestOpenclipart_PNGTextGivesDescriptionAuthorAndYear(t *testing.T) {
	all := records(t, samples.Openclipart, samples.Options{})
	frogs := find(t, all, "animals/2_dead_frogs_lumen_desig_01.png")
	if m := frogs.Meta; m.Description != "2 dead frogs — 2 dead frogs... nothing more..." ||
		m.Extra["title"] != "2 dead frogs" || m.Extra["author"] != "Lumen Design Studio" || yearOf(frogs) != 2005 {
		t.Errorf("frogs = %+v, year %d", m, yearOf(frogs))
	}
	box := find(t, all, "office/box_with_folders_nicu_bu_01.png")
	if m := box.Meta; m.Description != "box with folders" || m.Extra["author"] != "Nicu Buculei" || m.Year != nil {
		t.Errorf("box = %+v", m)
	}
}

func TestOpenclipart_SubfoldersAndSymlinkFoldersAreTags(t *testing.T) {
	all := records(t, samples.Openclipart, samples.Options{})
	icon := find(t, all, "computer/icons/flat-theme/action/mail_generic.png")
	if !slices.Equal(icon.Meta.Tags, []string{"icons", "flat-theme", "action"}) {
		t.Errorf("mail_generic.png tags = %q", icon.Meta.Tags)
	}
	// science/astronomy/ and signs_and_symbols/ hold symlinks to the geography file.
	cross := find(t, all, "geography/astronomy/southen_cross_01.png")
	if !slices.Equal(cross.Meta.Tags, []string{"astronomy", "science", "signs_and_symbols"}) {
		t.Errorf("southen_cross_01.png tags = %q", cross.Meta.Tags)
	}
}

func TestPhotos_AreRealPhotosWithLicences(t *testing.T) {
	all := records(t, samples.Photos, samples.Options{})
	if len(all) != 14 {
		t.Errorf("%d photos, want 14", len(all))
	}
	jpegs := 0
	for _, r := range all {
		if strings.HasSuffix(r.Filename, ".jpg") {
			jpegs++
		}
		if r.Meta.Extra["license"] == "" {
			t.Errorf("%s has no licence", r.Filename)
		}
	}
	if jpegs != 3 {
		t.Errorf("%d JPEG photos, want 3", jpegs)
	}
}

func TestFetch_WritesImagesAndMetadataCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "emoji")
	var progress strings.Builder
	sum, err := samples.Fetch(context.Background(), samples.Emoji, out, samples.Options{Limit: 30, Seed: 5, Progress: &progress})
	if err != nil {
		failOrSkip(t, err)
	}
	if sum.Images != 30 || len(sum.Categories) != 10 || sum.Dir != out {
		t.Errorf("summary = %+v", sum)
	}
	if !strings.Contains(progress.String(), "30 images in 10 categories") {
		t.Errorf("progress did not report the count:\n%s", progress.String())
	}
	rows := readCSV(t, filepath.Join(out, samples.MetadataFile))
	header := rows[0]
	if !slices.Equal(header[:7], []string{"filename", "category", "tags", "description", "permalink", "year", "label"}) {
		t.Errorf("header = %q", header)
	}
	if len(rows) != 31 {
		t.Fatalf("%d metadata rows, want 30", len(rows)-1)
	}
	for _, row := range rows[1:] {
		cfg := decodeConfig(t, filepath.Join(out, row[0]))
		if cfg.Width != 64 || cfg.Height != 64 {
			t.Errorf("%s is %dx%d, want 64x64", row[0], cfg.Width, cfg.Height)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 31 {
		t.Errorf("%d files in %s, want 30 images and metadata.csv", len(entries), out)
	}
}

func TestFetch_PhotosDecodeAsPNGAndJPEG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "photos")
	if _, err := samples.Fetch(context.Background(), samples.Photos, out, samples.Options{}); err != nil {
		failOrSkip(t, err)
	}
	formats := map[string]int{}
	for _, row := range readCSV(t, filepath.Join(out, samples.MetadataFile))[1:] {
		formats[decodeFormat(t, filepath.Join(out, row[0]))]++
	}
	if formats["jpeg"] != 3 || formats["png"] != 11 {
		t.Errorf("formats = %v", formats)
	}
}

func TestFetch_RefusesAFolderThatIsNotEmpty(t *testing.T) {
	out := t.TempDir()
	keep := filepath.Join(out, "mine.txt")
	os.WriteFile(keep, []byte("keep me"), 0o644)
	_, err := samples.Fetch(context.Background(), samples.Emoji, out, samples.Options{Limit: 3})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("err = %v, want a not-empty error", err)
	}
	if data, _ := os.ReadFile(keep); string(data) != "keep me" {
		t.Errorf("the existing file was changed")
	}
}

func TestFetch_UnknownSampleIsAnError(t *testing.T) {
	_, err := samples.Fetch(context.Background(), "kittens", filepath.Join(t.TempDir(), "x"), samples.Options{})
	if err == nil || !strings.Contains(err.Error(), `"kittens"`) {
		t.Errorf("err = %v", err)
	}
}

func TestFetch_WithoutNpmSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := samples.Fetch(context.Background(), samples.Emoji, filepath.Join(t.TempDir(), "out"),
		samples.Options{CacheDir: t.TempDir()})
	if !errors.Is(err, samples.ErrToolMissing) || !strings.Contains(err.Error(), "install Node.js and npm") {
		t.Errorf("err = %v", err)
	}
}

func TestFetch_WithoutAptGetSaysWhatIsNeeded(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := samples.Fetch(context.Background(), samples.Openclipart, filepath.Join(t.TempDir(), "out"),
		samples.Options{CacheDir: t.TempDir()})
	if !errors.Is(err, samples.ErrToolMissing) || !strings.Contains(err.Error(), "apt-get download openclipart-png=") {
		t.Errorf("err = %v", err)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func decodeConfig(t *testing.T, path string) image.Config {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg
}

func decodeFormat(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, format, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return format
}
