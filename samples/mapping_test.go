package samples

import (
	"bytes"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/internal/imagetest"
)

func TestYearIn_FindsTheYearInFreeFormDates(t *testing.T) {
	for date, want := range map[string]int{
		"19 08 2005": 2005, "2005-08-19": 2005, "September 2005": 2005, "8/19/2005": 2005,
		"2004/12/01 10:00:00": 2004, "Fco. Andrade": 0, "05-08-19": 0, "": 0,
	} {
		got := 0
		if y := yearIn(date); y != nil {
			got = *y
		}
		if got != want {
			t.Errorf("yearIn(%q) = %d, want %d", date, got, want)
		}
	}
}

func TestEmojiDescription_SentenceCasesCapitalNamesOnly(t *testing.T) {
	for name, want := range map[string]string{
		"GRINNING FACE":         "Grinning face",
		"FAMILY: MAN, BOY, BOY": "Family: man, boy, boy",
		"Egypt Flag":            "Egypt Flag",
		"Åland Islands Flag":    "Åland Islands Flag",
	} {
		if got := emojiDescription(name); got != want {
			t.Errorf("emojiDescription(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestEmojiRecords_UnknownEmojiVersionNamesTheEmoji(t *testing.T) {
	_, err := emojiRecords([]byte(`[{"name":"NEW THING","unified":"1FAFF","image":"1faff.png","category":"Objects","added_in":"17.0","has_img_google":true}]`))
	if err == nil || !strings.Contains(err.Error(), `"NEW THING"`) || !strings.Contains(err.Error(), `"17.0"`) {
		t.Errorf("err = %v", err)
	}
}

func TestSkinTones_NamesEachToneOnce(t *testing.T) {
	got, err := skinTones("1F3FB-1F3FF")
	if err != nil || !slices.Equal(got, []string{"light skin tone", "dark skin tone"}) {
		t.Errorf("skinTones = %q, %v", got, err)
	}
	if got, _ := skinTones("1F3FD-1F3FD"); !slices.Equal(got, []string{"medium skin tone"}) {
		t.Errorf("same tone twice = %q", got)
	}
}

// withText adds a tEXt chunk before IEND of an encoded PNG.
func withText(t *testing.T, keyword string, text []byte) []byte {
	data := imagetest.EncodePNG(t, image.NewGray(image.Rect(0, 0, 2, 2)))
	chunk := imagetest.PNGChunk("tEXt", append([]byte(keyword+"\x00"), text...))
	return slices.Concat(data[:len(data)-12], chunk, data[len(data)-12:])
}

func TestPNGText_ReadsLatin1AndUTF8AndFoldsWhiteSpace(t *testing.T) {
	latin1 := withText(t, "Title", []byte("caf\xe9\n  au lait"))
	if got, err := pngText(latin1); err != nil || got["Title"] != "café au lait" {
		t.Errorf("Latin-1 title = %q, %v", got["Title"], err)
	}
	if _, err := png.Decode(bytes.NewReader(latin1)); err != nil {
		t.Fatalf("test PNG is broken: %v", err)
	}
	utf8 := withText(t, "Author", []byte("Mikael Häggström"))
	if got, _ := pngText(utf8); got["Author"] != "Mikael Häggström" {
		t.Errorf("UTF-8 author = %q", got["Author"])
	}
}

func TestPNGText_RejectsWhatIsNotAPNG(t *testing.T) {
	if _, err := pngText([]byte("GIF89a")); err == nil {
		t.Error("no error for a GIF")
	}
	truncated := withText(t, "Title", []byte("x"))[:40]
	if _, err := pngText(truncated); err == nil {
		t.Error("no error for a truncated PNG")
	}
}

func TestWriteMetadata_PixPlotColumnsFirstThenExtrasSorted(t *testing.T) {
	year := 2010
	var buf bytes.Buffer
	err := WriteMetadata(&buf, []Record{
		{Filename: "a/1.png", Meta: pixplot.Metadata{Category: "a", Label: "a", Tags: []string{"x", "y z"},
			Description: `say "hi", then go`, Year: &year, Extra: map[string]string{"zeta": "1", "author": "Ann"}}},
		{Filename: "b/2.png", Meta: pixplot.Metadata{Category: "b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "filename,category,tags,description,permalink,year,label,author,zeta\n" +
		`a/1.png,a,x|y z,"say ""hi"", then go",,2010,a,Ann,1` + "\n" +
		"b/2.png,b,,,,,,,\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestUniqueTags_DropsEmptyRepeatedAndPipe(t *testing.T) {
	got := uniqueTags([]string{"a", "", "b", "a", " c ", "d|e"})
	if !slices.Equal(got, []string{"a", "b", "c", "d/e"}) {
		t.Errorf("uniqueTags = %q", got)
	}
}
