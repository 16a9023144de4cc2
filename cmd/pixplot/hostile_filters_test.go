package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pixplot/pixplot/internal/testkit"
)

// hostileFilter is one entry of catalog/testdata/hostile_filters.jsonl: a
// filter that must be refused, and the token its error must name ("" where
// none applies).
type hostileFilter struct {
	Name  string `json:"name"`
	Where string `json:"where"`
	Token string `json:"token"`
}

func loadHostileFilters(t *testing.T) []hostileFilter {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "catalog", "testdata", "hostile_filters.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hostileFilter
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var h hostileFilter
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 30 {
		t.Fatalf("the hostile corpus has %d filters; the promise is at least 30", len(out))
	}
	return append(out, slowFilters...)
}

// slowFilters use nothing forbidden but would run for minutes: they must be
// stopped by the time limit. (The catalog's unit tests refuse the corpus;
// these are here because they take the whole limit each.)
var slowFilters = []hostileFilter{
	{Name: "cross_join_count", Where: "(SELECT count(*) FROM catalog a, catalog b, catalog c, catalog d, catalog e, catalog f, catalog g, catalog h) > 0"},
	{Name: "cross_join_like", Where: "id IN (SELECT a.id FROM catalog a, catalog b, catalog c, catalog d, catalog e, catalog f, catalog g, catalog h " +
		"WHERE a.description || b.description || c.description LIKE '%never there%')"},
}

// namesToken reports whether an error message names the filter's token
// (the start of it, for long literals that messages shorten).
func namesToken(msg, token string) bool {
	if token == "" {
		return true
	}
	head := []rune(token)
	head = head[:min(len(head), 16)]
	return strings.Contains(strings.ToLower(msg), strings.ToLower(string(head))) ||
		strings.Contains(msg, strings.Trim(fmt.Sprintf("%q", string(head)), `"`))
}

// catalogDigest is the SHA-256 of the catalog file and its WAL (if any).
func catalogDigest(t *testing.T, db string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{db, db + "-wal"} {
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(p), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hostileFilterLimit is how quickly every hostile filter must be refused
// or stopped, with a little time to interrupt SQLite and answer; process
// start and exit come on top of it.
const hostileFilterLimit = time.Second + 100*time.Millisecond

func TestPlot_HostileFiltersAreRefusedWithinASecondAndChangeNothing(t *testing.T) {
	db, _ := ingestEmojiWith(t, 20, "mobilenet_v2")
	corpus := loadHostileFilters(t)
	before := catalogDigest(t, db)

	// What a refused run costs besides the filter: start, open, close.
	start := time.Now()
	if r := run(t, "plot", "--db", db, "--name", "baseline", "--where", "year < -5000"); r.code == 0 {
		t.Fatalf("a filter matching nothing made a plot:\n%s", r.stdout)
	}
	overhead := time.Since(start)

	for _, h := range corpus {
		if strings.ContainsRune(h.Where, 0) {
			continue // a NUL byte cannot be a command-line argument; the HTTP test sends it
		}
		t.Run(h.Name, func(t *testing.T) {
			start := time.Now()
			r := run(t, "plot", "--db", db, "--name", "hostile", "--where", h.Where)
			took := time.Since(start)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%.500s", r.code, r.stdout, r.stderr)
			}
			if !namesToken(r.stderr, h.Token) {
				t.Errorf("the error does not name %q:\n%.500s", h.Token, r.stderr)
			}
			if took > overhead+hostileFilterLimit {
				t.Errorf("refused after %v (a plain refused run takes %v)", took, overhead)
			}
		})
	}
	if after := catalogDigest(t, db); after != before {
		t.Fatal("the catalog file changed")
	}
}

func TestServe_HostileFiltersAreRefusedWithinASecondAndChangeNothing(t *testing.T) {
	db, _ := ingestEmojiWith(t, 20, "mobilenet_v2")
	corpus := loadHostileFilters(t)
	before := catalogDigest(t, db)

	srv := startServe(t, "--db", db, "--addr", "127.0.0.1:0")
	for _, h := range corpus {
		t.Run(h.Name, func(t *testing.T) {
			body, err := json.Marshal(map[string]string{"name": "hostile", "where": h.Where})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			resp, err := http.Post(srv.url+"/api/plots", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatalf("the server is down: %v\n%s", err, srv.log())
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			took := time.Since(start)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d (%s), want 400", resp.StatusCode, answer)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(answer, &e); err != nil || !namesToken(e.Error, h.Token) {
				t.Errorf("error %s does not name %q (%v)", answer, h.Token, err)
			}
			if took > hostileFilterLimit {
				t.Errorf("refused after %v", took)
			}
		})
	}
	// Still up, and nothing was made.
	resp, err := http.Get(srv.url + "/api/plots")
	if err != nil {
		t.Fatalf("the server is down after the corpus: %v\n%s", err, srv.log())
	}
	list, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(list)) != "[]" {
		t.Errorf("GET /api/plots after the corpus: %d %s", resp.StatusCode, list)
	}
	srv.stop(t)
	if after := catalogDigest(t, db); after != before {
		t.Fatal("the catalog file changed")
	}
}

// ingestEmojiWith ingests n real emoji with their metadata and the given
// built-in model into a new catalog.
func ingestEmojiWith(t *testing.T, n int, model string) (db, dir string) {
	t.Helper()
	requireModel(t)
	dir = testkit.Emoji(t, n)
	db = filepath.Join(t.TempDir(), "emoji.db")
	mustPixplot(t, "ingest", "--db", db, "--images", dir, "--metadata", filepath.Join(dir, "metadata.csv"), "--model", model)
	return db, dir
}

// serveProcess is a running `pixplot serve`.
type serveProcess struct {
	url    string
	done   chan error
	stderr *lockedBuffer
	stop   func(t *testing.T)
}

func (s *serveProcess) log() string { return s.stderr.String() }

var servingAt = regexp.MustCompile(`at (http://[^/\s]+)/`)

// startServe starts `pixplot serve args...` and waits until it listens; it
// is stopped (Ctrl-C, so that it closes the catalog cleanly) by stop or at
// the end of the test.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	cmd := command(t, append([]string{"serve"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &serveProcess{done: make(chan error, 1), stderr: &lockedBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if m := servingAt.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.url = <-found:
	case err := <-s.done:
		t.Fatalf("pixplot serve exited: %v\n%s", err, s.log())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("pixplot serve did not start in 30 s\n%s", s.log())
	}
	stopped := false
	s.stop = func(t *testing.T) {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("pixplot serve ended with %v after Ctrl-C\n%s", err, s.log())
			}
		case <-time.After(40 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("pixplot serve did not stop within 40 s of Ctrl-C")
		}
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
