package catalog

import (
	"strings"
	"testing"
)

// searchCatalog holds five images whose words are placed in different columns.
func searchCatalog(t *testing.T) *Catalog {
	t.Helper()
	c := openTemp(t)
	recs := make([]ImageRecord, 5)
	for i := range recs {
		recs[i] = ImageRecord{Image: testImage(i), Thumbs: testThumbs()}
		recs[i].Image.Meta.Tags = nil
		recs[i].Image.Meta.Category = ""
	}
	recs[0].Image.Meta.Description = "Boats in the harbour at night, seen from the old pier. " +
		"A long caption follows with many more words about the sea, the weather, the town and its people."
	recs[1].Image.Filename = "harbour-1951.jpg"
	recs[1].Image.Path = "harbour-1951.jpg"
	recs[2].Image.Meta.Category = "harbour"
	recs[3].Image.Meta.Tags = []string{"night", "harbour"}
	recs[4].Image.Meta.Description = "Café au lait"
	putAll(t, c, 0, recs)
	return c
}

func searchIDs(t *testing.T, c *Catalog, text string, opt SearchOptions) []int64 {
	t.Helper()
	hits, err := c.Search(ctx, text, opt)
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	ids := []int64{}
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestSearch_RanksShortFieldsAboveALongDescription(t *testing.T) {
	c := searchCatalog(t)
	ids := searchIDs(t, c, "harbour", SearchOptions{})
	if len(ids) != 4 {
		t.Fatalf("harbour found %v, want 4 images", ids)
	}
	if ids[3] != 1 {
		t.Errorf("the long description (image 1) should rank last: %v", ids)
	}
}

func TestSearch_EveryWordMustMatchAndWordsArePrefixes(t *testing.T) {
	c := searchCatalog(t)
	if got := searchIDs(t, c, "harb nig", SearchOptions{}); len(got) != 2 {
		t.Errorf("harb nig found %v, want images 1 and 4", got)
	}
	if got := searchIDs(t, c, "cafe", SearchOptions{}); len(got) != 1 || got[0] != 5 {
		t.Errorf("cafe (diacritics removed) found %v, want [5]", got)
	}
}

func TestSearch_SnippetIsPlainTextAroundTheMatch(t *testing.T) {
	c := searchCatalog(t)
	hits, err := c.Search(ctx, "pier", SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("pier: %v %v", hits, err)
	}
	s := hits[0].Snippet
	if !strings.Contains(s, "pier") || strings.ContainsAny(s, "<>") || !strings.HasSuffix(s, "…") {
		t.Errorf("snippet %q: want plain text around pier, cut with …", s)
	}
	if hits[0].Filename != "img0000.jpg" {
		t.Errorf("filename %q", hits[0].Filename)
	}
}

func TestSearch_FTS5SyntaxInTheTextIsSearchedForNotParsed(t *testing.T) {
	c := searchCatalog(t)
	for _, text := range []string{
		`"`, `harbour"`, `filename:harbour`, `harbour AND OR NOT`, `NEAR(harbour night)`, `*`, `^harbour`,
		`(harbour`, `-night`, "\x00harbour\x01", `'; DROP TABLE images; --`, strings.Repeat("harbour ", 500),
	} {
		if _, err := c.Search(ctx, text, SearchOptions{}); err != nil {
			t.Errorf("Search(%.40q): %v", text, err)
		}
	}
	if got := searchIDs(t, c, "filename:harbour", SearchOptions{}); len(got) != 0 {
		t.Errorf("filename:harbour is one word that nothing contains, found %v", got)
	}
}

func TestSearch_NoWordsFindsNothing(t *testing.T) {
	c := searchCatalog(t)
	for _, text := range []string{"", "   ", "…", "*** --"} {
		if got := searchIDs(t, c, text, SearchOptions{}); len(got) != 0 {
			t.Errorf("Search(%q) = %v, want none", text, got)
		}
	}
}

func TestSearch_PlotRestrictsToItsImages(t *testing.T) {
	c := searchCatalog(t)
	_, err := c.write.ExecContext(ctx, `INSERT INTO plots(id, name, fingerprint, status) VALUES (1, 'p', 'x', 'ready');
		INSERT INTO plot_images(plot_id, position, image_id) VALUES (1, 0, 3), (1, 1, 5)`)
	if err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, c, "harbour", SearchOptions{Plot: "p"}); len(got) != 1 || got[0] != 3 {
		t.Errorf("harbour in plot p found %v, want [3]", got)
	}
	if got := searchIDs(t, c, "harbour", SearchOptions{Plot: "nope"}); len(got) != 0 {
		t.Errorf("unknown plot found %v", got)
	}
}

func TestSearch_LimitIsBounded(t *testing.T) {
	c := searchCatalog(t)
	if got := searchIDs(t, c, "harbour", SearchOptions{Limit: 2}); len(got) != 2 {
		t.Errorf("limit 2 gave %v", got)
	}
	if _, err := c.Search(ctx, "harbour", SearchOptions{Limit: MaxSearchResults + 1}); err == nil {
		t.Error("a limit above MaxSearchResults was accepted")
	}
}
