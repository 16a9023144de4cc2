package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProgressLine_BarOnTerminalsPlainElsewhere(t *testing.T) {
	bar := progressLine(250, 1000, 10*time.Second, true)
	if bar != "ingest [=======                       ] 250/1000 images  25.0 images/s  ETA 30s" {
		t.Errorf("bar = %q", bar)
	}
	plain := progressLine(250, 1000, 10*time.Second, false)
	if plain != "ingest: 250/1000 images  25.0 images/s  ETA 30s" {
		t.Errorf("plain = %q", plain)
	}
	if got := progressLine(0, 10, 0, false); !strings.HasSuffix(got, "ETA ?") {
		t.Errorf("no rate yet: %q", got)
	}
}

func TestProgress_PlainLinesArePeriodic(t *testing.T) {
	var out strings.Builder
	w := &syncWriter{b: &out}
	p := startProgress(w, false, 10, 10*time.Millisecond)
	p.done.Add(4)
	for deadline := time.Now().Add(10 * time.Second); w.lines() < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	p.end()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "ingest: 4/10 images") || strings.Contains(out.String(), "\r") {
		t.Errorf("output %q", out.String())
	}
}

func TestSummary_OutcomeAndExitCodes(t *testing.T) {
	cases := []struct {
		s    Summary
		want Outcome
		code int
	}{
		{Summary{Discovered: 5, Ingested: 5}, OutcomeOK, 0},
		{Summary{Discovered: 5, Unchanged: 5}, OutcomeOK, 0},
		{Summary{Discovered: 5, Ingested: 4, Failed: 1}, OutcomePartial, 3},
		{Summary{Discovered: 5, Ingested: 5, MetadataProblems: 1}, OutcomePartial, 3},
		{Summary{Discovered: 5, Ingested: 5, DiscoveryProblems: 1}, OutcomePartial, 3},
		{Summary{Discovered: 5, Failed: 5}, OutcomeFailed, 1},
		{Summary{}, OutcomeFailed, 1},
	}
	for _, c := range cases {
		if got := c.s.Outcome(); got != c.want || got.ExitCode() != c.code {
			t.Errorf("%+v: outcome %v (exit %d), want %v (exit %d)", c.s, got, got.ExitCode(), c.want, c.code)
		}
	}
}

func TestSummary_TextGroupsFailuresAndNamesExamples(t *testing.T) {
	s := Summary{Discovered: 10, Ingested: 6, Unchanged: 1, Failed: 3,
		FailedReasons: map[string]int{"decode: not an image": 2, "read: HTTP 404 Not Found": 1},
		MetadataRows:  4, MetadataMatched: 3, MetadataUnmatched: 6, UnmatchedExamples: []string{`"a.jpg" (m.csv row 2)`},
		Removed: 2, RemovedExamples: []string{"/p/x.jpg", "/p/y.jpg"}}
	text := s.Text()
	for _, want := range []string{
		"10 images: 6 ingested, 0 updated, 1 unchanged, 3 failed",
		"  failed: 2 × decode: not an image\n  failed: 1 × read: HTTP 404 Not Found\n",
		`metadata rows without an image: 6 ("a.jpg" (m.csv row 2), …)`,
		"files gone: 2 catalogued images are no longer there (/p/x.jpg, /p/y.jpg); run with --prune to remove them",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
}

func TestLoadMetadata_GlobOfPerImageJSONFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.json":   `{"filename": "a.jpg", "category": "x"}`,
		"b.json":   `{"filename": "b.jpg", "year": "19x0"}`,
		"bad.json": `{"filename": `,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tab, err := LoadMetadata(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 {
		t.Errorf("rows: %+v", tab.Rows)
	}
	var problems []string
	for _, p := range tab.Problems {
		problems = append(problems, p.Error())
	}
	want := []string{
		filepath.Join(dir, "b.json") + `: field "year": "19x0" is not a year; value dropped`,
		filepath.Join(dir, "bad.json") + ": invalid JSON: unexpected EOF; file skipped",
	}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if _, err := LoadMetadata(filepath.Join(dir, "*.csv")); err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Errorf("no matches: %v", err)
	}
}

func TestSummaryText_SaysHowToIngestImagesOverThePixelLimit(t *testing.T) {
	s := Summary{Discovered: 3, Failed: 2, FailedReasons: map[string]int{tooLargeReason: 2}}
	if text := s.Text(); !strings.Contains(text, "--max-pixels") {
		t.Fatalf("summary does not mention --max-pixels:\n%s", text)
	}
	if text := (Summary{Discovered: 1}).Text(); strings.Contains(text, "--max-pixels") {
		t.Fatalf("summary without such failures mentions --max-pixels:\n%s", text)
	}
}
