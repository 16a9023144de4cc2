package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/internal/testkit"
	"github.com/pixplot/pixplot/modelstore"
)

// testModel is the built-in model the pipeline tests run: the real one, the
// faster of the two.
const testModel = "mobilenet_v2"

var (
	embeddersMu sync.Mutex
	embedders   = map[string]*embed.Embedder{}
)

// realEmbedder opens the real test model through modelstore's cache.
func realEmbedder(t testing.TB) *embed.Embedder {
	t.Helper()
	return builtinEmbedder(t, testModel)
}

// builtinEmbedder opens a built-in model through modelstore's cache (fetching
// it if needed), once per test binary. Without it the test is skipped, except
// with CI=true.
func builtinEmbedder(t testing.TB, name string) *embed.Embedder {
	t.Helper()
	embeddersMu.Lock()
	defer embeddersMu.Unlock()
	if e, ok := embedders[name]; ok {
		return e
	}
	e, err := openBuiltin(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the real model %s is required in CI: %v", name, err)
		}
		t.Skipf("real model %s unavailable (run `pixplot setup`): %v", name, err)
	}
	embedders[name] = e
	return e
}

func openBuiltin(name string) (*embed.Embedder, error) {
	ctx := context.Background()
	store := modelstore.Default(nil)
	lib, err := store.Runtime(ctx)
	if err != nil {
		return nil, err
	}
	m, err := store.Resolve(ctx, name, modelstore.Custom{})
	if err != nil {
		return nil, err
	}
	if m.SHA256 == "" { // modelstore has not pinned its hashes yet
		data, err := os.ReadFile(m.File)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		m.SHA256 = hex.EncodeToString(sum[:])
	}
	return embed.Open(lib, m, embed.Options{})
}

func newCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "pixplot.db"), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

func ingest(t *testing.T, cat *catalog.Catalog, opt Options) Summary {
	t.Helper()
	if opt.Workers == 0 {
		opt.Workers = 2
	}
	s, err := Run(context.Background(), cat, realEmbedder(t), opt)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, s.Text())
	}
	return s
}

func info(t *testing.T, cat *catalog.Catalog) catalog.Info {
	t.Helper()
	in, err := cat.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func storedImage(t *testing.T, cat *catalog.Catalog, path string) (id int64, sha string, mtime int64, category string) {
	t.Helper()
	ctx := context.Background()
	id, err := cat.ImageIDByPath(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := cat.Image(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, img.SHA256, img.ModTime, img.Meta.Category
}

func counts(s Summary) [5]int {
	return [5]int{s.Discovered, s.Ingested, s.Updated, s.Unchanged, s.Failed}
}

func TestRun_IngestsAFolderWithItsMetadata(t *testing.T) {
	dir := testkit.Emoji(t, 20)
	cat := newCatalog(t)
	var progress bytes.Buffer
	s := ingest(t, cat, Options{Images: dir, Metadata: filepath.Join(dir, "metadata.csv"), Progress: &progress, ProgressInterval: time.Millisecond})
	if counts(s) != [5]int{20, 20, 0, 0, 0} || s.Outcome() != OutcomeOK || s.Outcome().ExitCode() != 0 {
		t.Errorf("summary:\n%s", s.Text())
	}
	if s.MetadataRows != 20 || s.MetadataMatched != 20 || s.MetadataUnmatched != 0 || s.MetadataProblems != 0 {
		t.Errorf("metadata: %+v", s)
	}
	in := info(t, cat)
	if in.Images != 20 || in.Thumbnails != 60 || len(in.Models) != 1 || in.Models[0].Vectors != 20 {
		t.Errorf("catalog: %+v", in)
	}
	_, _, _, category := storedImage(t, cat, "1f631.png")
	if category != "Smileys & Emotion" {
		t.Errorf("category of 1f631.png = %q", category)
	}
	columns, err := cat.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(columns, ","), "short_name") {
		t.Errorf("extra metadata column short_name is not queryable: %q", columns)
	}
	if !strings.Contains(progress.String(), "/20 images") {
		t.Errorf("no progress lines: %q", progress.String())
	}
}

func TestRun_ReingestIsANoOpThatReadsNothing(t *testing.T) {
	dir := testkit.Writable(t, testkit.Emoji(t, 20))
	cat := newCatalog(t)
	opt := Options{Images: dir, Metadata: filepath.Join(dir, "metadata.csv")}
	ingest(t, cat, opt)

	// Same size and modification time: the file must not even be read, so
	// garbage of the same length goes unnoticed.
	victim := filepath.Join(dir, "1f631.png")
	st, err := os.Stat(victim)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(victim, bytes.Repeat([]byte{0}, int(st.Size())), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(victim, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	emb := &timedEmbedder{Embedder: realEmbedder(t)}
	start := time.Now()
	s, err := Run(context.Background(), cat, emb, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-ingest of 20 unchanged images: %v", time.Since(start))
	if counts(s) != [5]int{20, 0, 0, 20, 0} || s.MetadataUpdated != 0 || s.Outcome() != OutcomeOK {
		t.Errorf("second run:\n%s", s.Text())
	}
	if emb.busy() != 0 {
		t.Errorf("the model ran for %v on a no-op re-ingest", emb.busy())
	}
}

func TestRun_ChangedFileIsUpdatedAndTouchedFileOnlyGetsItsTime(t *testing.T) {
	dir := testkit.Writable(t, testkit.Emoji(t, 20))
	cat := newCatalog(t)
	opt := Options{Images: dir}
	ingest(t, cat, opt)
	changed, touched := filepath.Join(dir, "1f631.png"), filepath.Join(dir, "1f385.png")
	id, oldSHA, _, _ := storedImage(t, cat, "1f631.png")
	oldVec, err := cat.Vector(context.Background(), info(t, cat).Models[0].Model.ID, id)
	if err != nil {
		t.Fatal(err)
	}

	other, err := os.ReadFile(filepath.Join(dir, "2763-fe0f.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(changed, other, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := os.Chtimes(touched, later, later); err != nil {
		t.Fatal(err)
	}
	s := ingest(t, cat, opt)
	if counts(s) != [5]int{20, 0, 1, 19, 0} {
		t.Errorf("summary:\n%s", s.Text())
	}
	sameID, newSHA, _, _ := storedImage(t, cat, "1f631.png")
	newVec, err := cat.Vector(context.Background(), info(t, cat).Models[0].Model.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if sameID != id || newSHA == oldSHA || reflect.DeepEqual(oldVec, newVec) {
		t.Errorf("changed file: id %d→%d, sha changed %v, vector changed %v", id, sameID, newSHA != oldSHA, !reflect.DeepEqual(oldVec, newVec))
	}
	if _, _, mtime, _ := storedImage(t, cat, "1f385.png"); mtime != later.UnixNano() {
		t.Errorf("touched file: stored mtime %d, want %d", mtime, later.UnixNano())
	}
	if in := info(t, cat); in.Images != 20 || in.Models[0].Vectors != 20 {
		t.Errorf("no duplicates expected: %+v", in)
	}
	if s := ingest(t, cat, opt); counts(s) != [5]int{20, 0, 0, 20, 0} {
		t.Errorf("third run should skip everything by size and time:\n%s", s.Text())
	}
}

func TestRun_ChangedMetadataUpdatesUnchangedImages(t *testing.T) {
	dir := testkit.Writable(t, testkit.Emoji(t, 20))
	cat := newCatalog(t)
	meta := filepath.Join(dir, "metadata.csv")
	ingest(t, cat, Options{Images: dir, Metadata: meta})
	csv, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(csv), "1f631.png,Smileys & Emotion,", "1f631.png,Screams,", 1)
	if edited == string(csv) {
		t.Fatal("fixture row not found")
	}
	if err := os.WriteFile(meta, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	s := ingest(t, cat, Options{Images: dir, Metadata: meta})
	if s.Unchanged != 20 || s.MetadataUpdated != 1 {
		t.Errorf("summary:\n%s", s.Text())
	}
	if _, _, _, category := storedImage(t, cat, "1f631.png"); category != "Screams" {
		t.Errorf("category = %q", category)
	}
}

func TestRun_RemovedFilesAreReportedAndPrunedOnlyOnRequest(t *testing.T) {
	dir := testkit.Writable(t, testkit.Emoji(t, 20))
	cat := newCatalog(t)
	ingest(t, cat, Options{Images: dir})
	gone := filepath.Join(dir, "1f631.png")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	s := ingest(t, cat, Options{Images: dir})
	if s.Removed != 1 || s.Pruned || !reflect.DeepEqual(s.RemovedExamples, []string{gone}) || info(t, cat).Images != 20 {
		t.Errorf("without --prune:\n%s", s.Text())
	}
	s = ingest(t, cat, Options{Images: dir, Prune: true})
	if s.Removed != 1 || !s.Pruned || info(t, cat).Images != 19 {
		t.Errorf("with --prune:\n%s", s.Text())
	}
	if s := ingest(t, cat, Options{Images: dir, Prune: true}); s.Removed != 0 {
		t.Errorf("nothing left to prune:\n%s", s.Text())
	}
}

func TestRun_BadFilesAreReportedAndTheRestStored(t *testing.T) {
	dir := testkit.Writable(t, testkit.Emoji(t, 20))
	good, err := os.ReadFile(filepath.Join(dir, "1f631.png"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"notes.jpg":     []byte("these are not pixels\n"),
		"truncated.png": good[:len(good)/2],
		"empty.gif":     nil,
	}
	for name, data := range bad {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cat := newCatalog(t)
	s, err := Run(context.Background(), cat, realEmbedder(t), Options{Images: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if counts(s) != [5]int{23, 20, 0, 0, 3} || s.Outcome() != OutcomePartial || s.Outcome().ExitCode() != 3 {
		t.Errorf("summary:\n%s", s.Text())
	}
	if s.FailedReasons["decode: not an image"] != 2 || s.FailedReasons["decode: corrupt image"] != 1 {
		t.Errorf("reasons = %v", s.FailedReasons)
	}
	t.Logf("summary:\n%s", s.Text())
	if !strings.Contains(s.Text(), "failed: 2 × decode: not an image") ||
		!strings.Contains(s.Text(), filepath.Join(dir, "notes.jpg")+": not an image") {
		t.Errorf("summary text:\n%s", s.Text())
	}
	in := info(t, cat)
	if in.Images != 20 || in.Errors != 3 {
		t.Errorf("a failed image must leave no rows: %+v", in)
	}
	errs, err := cat.Errors(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		if e.Stage != StageDecode || !strings.HasPrefix(e.Path, dir) || e.RunID != s.RunID {
			t.Errorf("ingest error %+v", e)
		}
	}
	// Fixing a file clears its problem.
	if err := os.WriteFile(filepath.Join(dir, "truncated.png"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	s = ingest(t, cat, Options{Images: dir})
	if s.Ingested != 1 || s.Failed != 2 || info(t, cat).Errors != 2 {
		t.Errorf("after the fix:\n%s", s.Text())
	}
}

func TestRun_NothingUsableIsAFailure(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.jpg"), []byte("text"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := newCatalog(t)
	s, err := Run(context.Background(), cat, realEmbedder(t), Options{Images: dir})
	if err != nil || s.Outcome() != OutcomeFailed || s.Outcome().ExitCode() != 1 {
		t.Errorf("all failed: err %v outcome %v", err, s.Outcome())
	}
	s, err = Run(context.Background(), cat, realEmbedder(t), Options{Images: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no images found") || s.Outcome() != OutcomeFailed {
		t.Errorf("empty dir: err %v outcome %v", err, s.Outcome())
	}
}

func TestRun_MetadataProblemsAreRecordedAndTheRunContinues(t *testing.T) {
	dir := testkit.Writable(t, testkit.Emoji(t, 20))
	meta := filepath.Join(t.TempDir(), "meta.csv")
	csv := "filename,year,lat\n1f631.png,19x0,10\n1f385.png,2010,200\nnot-there.png,2000,1\n"
	if err := os.WriteFile(meta, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := newCatalog(t)
	s := ingest(t, cat, Options{Images: dir, Metadata: meta})
	if s.Ingested != 20 || s.MetadataProblems != 2 || s.MetadataUnmatched != 1 || s.Outcome() != OutcomePartial {
		t.Errorf("summary:\n%s", s.Text())
	}
	if !strings.Contains(s.Text(), `metadata rows without an image: 1 ("not-there.png" (`+meta+` row 4))`) {
		t.Errorf("summary text:\n%s", s.Text())
	}
	errs, err := cat.Errors(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Stage+" "+e.Path+": "+e.Message)
	}
	want := []string{
		"metadata " + meta + `: row 3, column "lat": "200" is out of range (-90 to 90); value dropped`,
		"metadata " + meta + `: row 2, column "year": "19x0" is not a year; value dropped`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ingest errors =\n%q\nwant\n%q", got, want)
	}
	_, err = Run(context.Background(), cat, realEmbedder(t), Options{Images: dir, Metadata: filepath.Join(dir, "missing.csv")})
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("a missing metadata file is an error: %v", err)
	}
}

func TestRun_CancelledRunKeepsWhatItStoredAndTheNextFinishes(t *testing.T) {
	dir := testkit.Emoji(t, 20)
	cat := newCatalog(t)
	ctx, cancel := context.WithCancel(context.Background())
	emb := &cancelAfter{Embedder: realEmbedder(t), runs: 2, cancel: cancel}
	s, err := Run(ctx, cat, emb, Options{Images: dir, Workers: 2, BatchSize: 4, CommitEvery: 4})
	if err == nil || !s.Interrupted {
		t.Fatalf("err %v interrupted %v", err, s.Interrupted)
	}
	stored := info(t, cat).Images
	if stored == 0 || stored == 20 {
		t.Logf("stored %d of 20 before the cancel took effect", stored)
	}
	s = ingest(t, cat, Options{Images: dir})
	in := info(t, cat)
	if in.Images != 20 || in.Models[0].Vectors != 20 || s.Ingested+s.Unchanged != 20 || int64(s.Unchanged) != stored {
		t.Errorf("after resuming: %+v\n%s", in, s.Text())
	}
}

// cancelAfter cancels the run after a number of model calls, as Ctrl-C would.
type cancelAfter struct {
	Embedder
	mu     sync.Mutex
	runs   int
	cancel func()
}

func (c *cancelAfter) Run(tensors [][]float32) ([][]float32, error) {
	c.mu.Lock()
	c.runs--
	if c.runs == 0 {
		c.cancel()
	}
	c.mu.Unlock()
	return c.Embedder.Run(tensors)
}
