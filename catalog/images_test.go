package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot"
)

func TestPutImages_BadRecordStoresNothingOfTheBatch(t *testing.T) {
	c := openTemp(t)
	m := testModel(t, c, 1, 8)
	r := newRand(1)
	putAll(t, c, m.ID, []ImageRecord{testRecord(0, randomUnit(r, 8))})
	before := tableCounts(t, c, m.ID)

	recs := []ImageRecord{testRecord(1, randomUnit(r, 8)), testRecord(2, randomUnit(r, 8)), testRecord(3, randomUnit(r, 7))}
	recs[1].Image.Meta.Extra = map[string]string{"dpi": "300"}
	err := c.PutImages(ctx, m.ID, recs)
	var bad *ImageError
	if !errors.As(err, &bad) || bad.Source != "/data/img0003.jpg" || !errors.Is(err, ErrWrongDims) {
		t.Fatalf("PutImages error = %v; want an ImageError for img0003 wrapping ErrWrongDims", err)
	}
	if !strings.Contains(err.Error(), "/data/img0003.jpg") {
		t.Errorf("error %q does not name the source", err)
	}
	if after := tableCounts(t, c, m.ID); !slices.Equal(after, before) {
		t.Errorf("row counts after a failed batch = %v; want unchanged %v", after, before)
	}
	if cols, _ := c.Columns(ctx); slices.Contains(cols, "dpi") {
		t.Errorf("failed batch added view column dpi: %v", cols)
	}
}

// A failure inside the transaction (here: a trigger standing in for a full
// disk) also rolls back the rows already written for earlier records.
func TestPutImages_FailureMidBatchRollsBackEarlierRecords(t *testing.T) {
	c := openTemp(t)
	m := testModel(t, c, 1, 8)
	_, err := c.write.Exec(`CREATE TRIGGER fail_third AFTER INSERT ON images WHEN NEW.filename = 'img0003.jpg'
		BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
	if err != nil {
		t.Fatal(err)
	}
	r := newRand(1)
	before := tableCounts(t, c, m.ID)
	err = c.PutImages(ctx, m.ID, []ImageRecord{testRecord(1, randomUnit(r, 8)), testRecord(2, randomUnit(r, 8)),
		testRecord(3, randomUnit(r, 8))})
	var bad *ImageError
	if !errors.As(err, &bad) || bad.Source != "/data/img0003.jpg" {
		t.Fatalf("PutImages error = %v; want an ImageError for img0003", err)
	}
	if after := tableCounts(t, c, m.ID); !slices.Equal(after, before) {
		t.Errorf("row counts = %v; want unchanged %v", after, before)
	}
}

// tableCounts counts every table an image writes to.
func tableCounts(t *testing.T, c *Catalog, modelID int64) []int {
	var counts []int
	for _, table := range []string{"images", "tags", "image_tags", "thumbnails", "embeddings", "image_search",
		"extra_columns", vecTable(modelID)} {
		counts = append(counts, count(t, c, `SELECT count(*) FROM `+table))
	}
	return counts
}

func TestPutImages_UpsertBySourceKeepsIDs(t *testing.T) {
	c := openTemp(t)
	m := testModel(t, c, 1, 8)
	r := newRand(1)
	putAll(t, c, m.ID, []ImageRecord{testRecord(1, randomUnit(r, 8)), testRecord(2, randomUnit(r, 8))})
	id1, _ := c.ImageIDByPath(ctx, "img0001.jpg")

	again := testRecord(1, randomUnit(r, 8))
	again.Image.Meta.Category = "photos"
	putAll(t, c, m.ID, []ImageRecord{again})

	if id, _ := c.ImageIDByPath(ctx, "img0001.jpg"); id != id1 {
		t.Errorf("re-put image id = %d; want %d kept", id, id1)
	}
	if n := count(t, c, `SELECT count(*) FROM images`); n != 2 {
		t.Errorf("%d images; want 2", n)
	}
	if n := count(t, c, `SELECT count(*) FROM `+vecTable(m.ID)); n != 2 {
		t.Errorf("%d vec rows; want 2", n)
	}
	img, _ := c.Image(ctx, id1)
	if img.Meta.Category != "photos" {
		t.Errorf("category = %q; want the update", img.Meta.Category)
	}
	got, _ := c.Vector(ctx, m.ID, id1)
	if cosine(got, again.Vector) < 0.99999 {
		t.Error("vector was not replaced")
	}
}

// New bytes under the same source make every stored derivative stale: thumbs
// and the vectors of other models are dropped unless the record replaces them.
func TestPutImages_ChangedBytesDropStaleThumbsAndVectors(t *testing.T) {
	c := openTemp(t)
	m1, m2 := testModel(t, c, 1, 8), testModel(t, c, 2, 4)
	r := newRand(1)
	putAll(t, c, m1.ID, []ImageRecord{testRecord(1, randomUnit(r, 8))})
	putAll(t, c, m2.ID, []ImageRecord{{Image: testImage(1), Vector: randomUnit(r, 4)}})
	id, _ := c.ImageIDByPath(ctx, "img0001.jpg")
	if n := count(t, c, `SELECT count(*) FROM embeddings WHERE image_id = ?`, id); n != 2 {
		t.Fatalf("%d vectors; want one per model", n)
	}

	edited := ImageRecord{Image: testImage(1), Vector: randomUnit(r, 4)}
	edited.Image.SHA256 = sha("edited")
	putAll(t, c, m2.ID, []ImageRecord{edited})

	if _, err := c.Thumbnail(ctx, id, pixplot.ThumbCell); !errors.Is(err, ErrNotFound) {
		t.Errorf("stale thumbnail still stored (err %v)", err)
	}
	if _, err := c.Vector(ctx, m1.ID, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("stale model-1 vector still stored (err %v)", err)
	}
	if n := count(t, c, `SELECT count(*) FROM `+vecTable(m1.ID)); n != 0 {
		t.Errorf("%d stale rows in %s", n, vecTable(m1.ID))
	}
	if _, err := c.Vector(ctx, m2.ID, id); err != nil {
		t.Errorf("new model-2 vector: %v", err)
	}
}

func TestPutImages_NormalisesTagsKeepingCase(t *testing.T) {
	c := openTemp(t)
	rec := ImageRecord{Image: testImage(1)}
	rec.Image.Meta.Tags = []string{" Maps ", "maps", "", "Maps", "  ", "1850s"}
	putAll(t, c, 0, []ImageRecord{rec})
	id, _ := c.ImageIDByPath(ctx, "img0001.jpg")
	img, _ := c.Image(ctx, id)
	if want := []string{"1850s", "Maps", "maps"}; !slices.Equal(img.Meta.Tags, want) {
		t.Errorf("tags = %q; want %q", img.Meta.Tags, want)
	}
	if n := count(t, c, `SELECT count(*) FROM catalog WHERE has_tag(tags, 'Maps')`); n != 1 {
		t.Errorf("has_tag(tags, 'Maps') matched %d images; want 1", n)
	}

	// Retagging drops tags no image uses any more.
	rec.Image.Meta.Tags = []string{"maps"}
	putAll(t, c, 0, []ImageRecord{rec})
	if names, _ := queryStrings(ctx, c.read, `SELECT name FROM tags ORDER BY name`); !slices.Equal(names, []string{"maps"}) {
		t.Errorf("tags table = %q; want [maps]", names)
	}
}

func TestPutImages_ExtraColumnsBecomeCatalogViewColumns(t *testing.T) {
	c := openTemp(t)
	rec := ImageRecord{Image: testImage(1)}
	rec.Image.Meta.Extra = map[string]string{
		"dpi": "300", "width": "12 cm", "photographer": " Ansel ", "empty": "  ",
		`say "cheese"`: "q", "it's": "a", "x.y": "dot", `back\slash`: "b",
	}
	putAll(t, c, 0, []ImageRecord{rec})

	cols, err := c.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dpi", "extra_width", "photographer", `say "cheese"`, "it's", "x.y", `back\slash`} {
		if !slices.Contains(cols, want) {
			t.Errorf("catalog view has no column %q: %q", want, cols)
		}
	}
	if slices.Contains(cols, "empty") {
		t.Error("an extra column with only empty values became a view column")
	}
	var dpi, width, who, quoted, apos, dot, back string
	err = c.read.QueryRow(`SELECT dpi, extra_width, photographer, "say ""cheese""", "it's", "x.y", "back\slash", width
		FROM catalog WHERE dpi = '300'`).Scan(&dpi, &width, &who, &quoted, &apos, &dot, &back, new(int))
	if err != nil {
		t.Fatal(err)
	}
	if dpi != "300" || width != "12 cm" || who != "Ansel" || quoted != "q" || apos != "a" || dot != "dot" || back != "b" {
		t.Errorf("view values = %q", []string{dpi, width, who, quoted, apos, dot, back})
	}

	// The rebuilt view survives reopening (schema.sql only creates it if missing).
	path := c.Path()
	c.Close()
	c2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if cols2, _ := c2.Columns(ctx); !slices.Equal(cols2, cols) {
		t.Errorf("columns after reopen = %q; want %q", cols2, cols)
	}
}

func TestPutImages_RejectsBadMetadataNamingTheImage(t *testing.T) {
	c := openTemp(t)
	lat := 95.0
	rec := ImageRecord{Image: testImage(1)}
	rec.Image.Meta.Lat = &lat
	err := c.PutImages(ctx, 0, []ImageRecord{rec})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "img0001.jpg") || !strings.Contains(err.Error(), "lat 95") {
		t.Errorf("error = %v; want ErrInvalid naming the image and lat", err)
	}
	twice := []ImageRecord{{Image: testImage(2)}, {Image: testImage(2)}}
	if err := c.PutImages(ctx, 0, twice); !errors.Is(err, ErrInvalid) {
		t.Errorf("same source twice in a batch: %v; want ErrInvalid", err)
	}
	vectorless := ImageRecord{Image: testImage(3), Vector: []float32{1, 0}}
	if err := c.PutImages(ctx, 0, []ImageRecord{vectorless}); !errors.Is(err, ErrInvalid) {
		t.Errorf("vector with model 0: %v; want ErrInvalid", err)
	}
}

func TestKnown_TellsReingestWhatItCanSkip(t *testing.T) {
	c := openTemp(t)
	m1, m2 := testModel(t, c, 1, 8), testModel(t, c, 2, 8)
	r := newRand(1)
	withThumbs := testRecord(1, randomUnit(r, 8))
	bare := ImageRecord{Image: testImage(2)}
	putAll(t, c, m1.ID, []ImageRecord{withThumbs, bare})

	known, err := c.Known(ctx, m1.ID)
	if err != nil {
		t.Fatal(err)
	}
	k1, k2 := known["/data/img0001.jpg"], known["/data/img0002.jpg"]
	if len(known) != 2 || k1.SHA256 != withThumbs.Image.SHA256 || k1.Bytes != 1001 || k1.ModTime != withThumbs.Image.ModTime {
		t.Errorf("Known = %+v", known)
	}
	if !k1.HasVector || !k1.HasThumbs || k2.HasVector || k2.HasThumbs {
		t.Errorf("HasVector/HasThumbs: img1 %v/%v, img2 %v/%v; want true/true, false/false",
			k1.HasVector, k1.HasThumbs, k2.HasVector, k2.HasThumbs)
	}
	if k1.MetaDigest != MetadataDigest(withThumbs.Image.Meta) {
		t.Error("MetaDigest differs from MetadataDigest of the metadata stored")
	}
	if other, _ := c.Known(ctx, m2.ID); other["/data/img0001.jpg"].HasVector {
		t.Error("HasVector is true for a model the image was never embedded with")
	}

	// Metadata changes alone go through UpdateMetadata; a new mtime through TouchImage.
	meta := withThumbs.Image.Meta
	meta.Tags = []string{"new tag"}
	meta.Extra = map[string]string{"donor": "Smith"}
	if MetadataDigest(meta) == k1.MetaDigest {
		t.Fatal("digest did not change with the tags")
	}
	if err := c.UpdateMetadata(ctx, k1.ID, meta); err != nil {
		t.Fatal(err)
	}
	if err := c.TouchImage(ctx, k1.ID, 42); err != nil {
		t.Fatal(err)
	}
	known, _ = c.Known(ctx, m1.ID)
	if k := known["/data/img0001.jpg"]; k.MetaDigest != MetadataDigest(meta) || k.ModTime != 42 || !k.HasVector || !k.HasThumbs {
		t.Errorf("after UpdateMetadata and TouchImage: %+v", k)
	}
	if n := count(t, c, `SELECT count(*) FROM catalog WHERE donor = 'Smith' AND has_tag(tags, 'new tag')`); n != 1 {
		t.Errorf("updated metadata not visible in the catalog view (%d rows)", n)
	}
	if n := count(t, c, `SELECT count(*) FROM image_search WHERE image_search MATCH 'new'`); n != 1 {
		t.Errorf("updated tags not searchable (%d rows)", n)
	}
	if err := c.UpdateMetadata(ctx, 999, meta); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateMetadata(999) = %v; want ErrNotFound", err)
	}
	if err := c.TouchImage(ctx, 999, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("TouchImage(999) = %v; want ErrNotFound", err)
	}
}

func TestPrune_RemovesImagesAndTheirRowsInEveryTable(t *testing.T) {
	c := openTemp(t)
	m1, m2 := testModel(t, c, 1, 8), testModel(t, c, 2, 4)
	r := newRand(1)
	var recs1, recs2 []ImageRecord
	for i := range 4 {
		recs1 = append(recs1, testRecord(i, randomUnit(r, 8)))
		recs2 = append(recs2, ImageRecord{Image: testImage(i), Vector: randomUnit(r, 4)})
	}
	recs1[0].Image.Meta.Tags = []string{"only-on-0"}
	putAll(t, c, m1.ID, recs1)
	putAll(t, c, m2.ID, recs2)
	if err := c.RecordError(ctx, 0, "/data/gone.jpg", "decode", "broken"); err != nil {
		t.Fatal(err)
	}

	n, err := c.Prune(ctx, []string{"/data/img0000.jpg", "/data/img0001.jpg", "/data/never-stored.jpg"})
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	for table, want := range map[string]int{
		"images": 2, "thumbnails": 6, "embeddings": 4, "image_tags": 4, "image_search": 2,
		vecTable(m1.ID): 2, vecTable(m2.ID): 2, "ingest_errors": 1,
	} {
		if got := count(t, c, `SELECT count(*) FROM `+table); got != want {
			t.Errorf("%s has %d rows after prune; want %d", table, got, want)
		}
	}
	if n := count(t, c, `SELECT count(*) FROM tags WHERE name = 'only-on-0'`); n != 0 {
		t.Error("a tag no image uses survived the prune")
	}
	// Pruned images never come back from a search.
	q, _ := c.Vector(ctx, m1.ID, 3)
	got, _ := c.Similar(ctx, m1.ID, q, 10, SimilarOptions{})
	if len(got) != 2 {
		t.Errorf("Similar after prune = %+v; want the 2 remaining images", got)
	}
}

func TestRuns_ProblemsAreListedUntilThePathIngestsCleanly(t *testing.T) {
	c := openTemp(t)
	run, err := c.StartRun(ctx, "/data", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.RecordError(ctx, run, "/data/img0001.jpg", "decode", "truncated JPEG"))
	must(c.RecordError(ctx, run, "/data/img0001.jpg", "decode", "truncated JPEG again"))
	must(c.RecordError(ctx, run, "meta.csv", "metadata", "row 3, column year: \"abc\" is not a year"))
	errs, err := c.Errors(ctx, 10)
	if err != nil || len(errs) != 2 || errs[0].Path != "meta.csv" || errs[1].Message != "truncated JPEG again" ||
		errs[1].RunID != run || errs[1].At.IsZero() {
		t.Fatalf("Errors = %+v, %v", errs, err)
	}

	putAll(t, c, 0, []ImageRecord{{Image: testImage(1)}})
	must(c.FinishRun(ctx, run, map[string]int{"stored": 1}))
	errs, _ = c.Errors(ctx, 0)
	if len(errs) != 1 || errs[0].Path != "meta.csv" {
		t.Errorf("Errors after a clean ingest = %+v; want only the metadata problem", errs)
	}
	var summary string
	c.read.QueryRow(`SELECT summary FROM ingest_runs WHERE id = ? AND finished_at IS NOT NULL`, run).Scan(&summary)
	if summary != `{"stored":1}` {
		t.Errorf("run summary = %q", summary)
	}
	if err := c.FinishRun(ctx, 999, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun(999) = %v; want ErrNotFound", err)
	}
}

func TestInfo_CountsWhatTheCatalogHolds(t *testing.T) {
	c := openTemp(t)
	m1, m2 := testModel(t, c, 1, 8), testModel(t, c, 2, 4)
	r := newRand(1)
	putAll(t, c, m1.ID, []ImageRecord{testRecord(1, randomUnit(r, 8)), testRecord(2, randomUnit(r, 8))})
	putAll(t, c, m2.ID, []ImageRecord{{Image: testImage(1), Vector: randomUnit(r, 4)}})
	if err := c.SetActiveModel(ctx, m2.ID); err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Images != 2 || info.Tags != 3 || info.Thumbnails != 6 || info.SchemaVersion != pixplot.SchemaVersion || info.FileBytes == 0 ||
		len(info.Models) != 2 || info.Models[0].Vectors != 2 || info.Models[1].Vectors != 1 ||
		info.Models[0].Active || !info.Models[1].Active || info.Models[1].Model.Dims != 4 {
		t.Errorf("Info = %+v", info)
	}
}

func TestEnsureModel_FindsByHashOutputAndPreprocess(t *testing.T) {
	c := openTemp(t)
	m := testModel(t, c, 1, 8)
	again := testModel(t, c, 1, 8)
	if again.ID != m.ID {
		t.Errorf("same model stored twice: ids %d and %d", m.ID, again.ID)
	}
	other := m
	other.Output = "mixed7_gap"
	other, err := c.EnsureModel(ctx, other)
	if err != nil || other.ID == m.ID {
		t.Errorf("another output of the same file = %+v, %v; want a new model", other, err)
	}
	wrong := m
	wrong.Dims = 9
	if _, err := c.EnsureModel(ctx, wrong); !errors.Is(err, ErrWrongDims) {
		t.Errorf("same model with other dims: %v; want ErrWrongDims", err)
	}
	models, _ := c.Models(ctx)
	if len(models) != 2 || models[1].Output != "mixed7_gap" {
		t.Errorf("Models = %+v", models)
	}
	if _, err := c.ActiveModel(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("ActiveModel before any is set = %v; want ErrNotFound", err)
	}
	if err := c.SetActiveModel(ctx, 77); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetActiveModel(77) = %v; want ErrNotFound", err)
	}
}
