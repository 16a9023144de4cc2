package modelstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/registry"
)

// cachedStore is the user's (or CI's) real cache, so that npm downloads
// happen once per machine, not once per test run. Without npm the tests skip,
// except under CI=true, where they fail.
func cachedStore(t *testing.T) Store {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", ErrNoNPM)
		}
		t.Skip(ErrNoNPM)
	}
	return Default(testLog{t})
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestSetup_FetchesRuntimeAndModelsOnceThenIsInstant(t *testing.T) {
	s := cachedStore(t)
	ctx := context.Background()
	if err := s.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var log bytes.Buffer
	again := Store{Dir: s.Dir, Log: &log}
	if err := again.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("second setup took %v, want it instant", d)
	}
	if strings.Contains(log.String(), "fetching") || strings.Contains(log.String(), "converted") {
		t.Errorf("second setup did work again:\n%s", log.String())
	}
	for _, b := range builtins {
		if b.SHA256 == "" {
			t.Errorf("%s: no sha256 pinned", b.Name)
		}
	}
}

func TestBuiltin_DescribesTheConvertedFile(t *testing.T) {
	s := cachedStore(t)
	m, err := s.Builtin(context.Background(), "inception_v3")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := registry.FileSHA256(m.File)
	if err != nil {
		t.Fatal(err)
	}
	if sum != m.SHA256 || m.Output != "mixed7_gap" || m.Dims != 768 || m.Preprocess.Size != 299 ||
		m.Preprocess.Input != "input" || m.Preprocess.Layout != "NHWC" || m.Preprocess.Scale != "0,1" {
		t.Errorf("model %+v (file sha256 %s)", m, sum)
	}
	if _, err := s.Builtin(context.Background(), "resnet"); err == nil || !strings.Contains(err.Error(), "inception_v3, mobilenet_v2") {
		t.Errorf("unknown model: %v", err)
	}
}

func TestBuiltin_ReplacesAFileThatNoLongerMatchesItsPinnedHash(t *testing.T) {
	s := cachedStore(t)
	ctx := context.Background()
	m, err := s.Builtin(ctx, "mobilenet_v2")
	if err != nil {
		t.Fatal(err)
	}
	// Work on a copy of the cache so the shared one is never damaged.
	dir := t.TempDir()
	copyCache(t, s.Dir, dir, manifestName, "models/mobilenet_v2.onnx", "nsfwjs-4.4.0")
	tmp := Store{Dir: dir, Log: testLog{t}}
	bad := filepath.Join(dir, "models", "mobilenet_v2.onnx")
	if err := os.WriteFile(bad, []byte("truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := tmp.Builtin(ctx, "mobilenet_v2")
	if err != nil {
		t.Fatal(err)
	}
	if sum, _ := registry.FileSHA256(got.File); sum != m.SHA256 {
		t.Errorf("rebuilt file sha256 %s, want %s", sum, m.SHA256)
	}
}

func copyCache(t *testing.T, from, to string, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		src := filepath.Join(from, filepath.FromSlash(rel))
		err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			r, _ := filepath.Rel(from, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			dst := filepath.Join(to, r)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				return err
			}
			return os.Chtimes(dst, info.ModTime(), info.ModTime())
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRuntime_WithoutNPMSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	s := Store{Dir: t.TempDir()}
	_, err := s.Runtime(context.Background())
	if !errors.Is(err, ErrNoNPM) || !strings.Contains(err.Error(), "apt-get install npm") {
		t.Errorf("error %v, want one saying to install npm", err)
	}
}

// customModel copies the built-in MobileNetV2 file to a temporary directory,
// as a user's own model.
func customModel(t *testing.T, s Store) string {
	t.Helper()
	m, err := s.Builtin(context.Background(), "mobilenet_v2")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(m.File)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mine.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResolve_OnnxFileTakesSidecarThenOverrides(t *testing.T) {
	s := cachedStore(t)
	path := customModel(t, s)
	sidecar := `{"output": "block_10_project_BN_gap", "scale": "-1,1", "name": "mnv2-mid"}`
	if err := os.WriteFile(strings.TrimSuffix(path, ".onnx")+".json", []byte(sidecar), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := s.Resolve(context.Background(), path, Custom{Scale: "0,1"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := registry.FileSHA256(path)
	if m.Name != "mnv2-mid" || m.Output != "block_10_project_BN_gap" || m.Dims != 96 || m.SHA256 != want ||
		m.Preprocess.Input != "input" || m.Preprocess.Size != 224 || m.Preprocess.Layout != embed.LayoutNHWC ||
		m.Preprocess.Scale != "0,1" || m.File != path {
		t.Errorf("resolved %+v", m)
	}
}

func TestResolve_RejectsWhatItCannotUse(t *testing.T) {
	s := cachedStore(t)
	path := customModel(t, s)
	ctx := context.Background()
	cases := []struct {
		ref  string
		c    Custom
		want string
	}{
		{"nope", Custom{}, "neither built in"},
		{filepath.Join(t.TempDir(), "missing.onnx"), Custom{}, "no such file"},
		{path, Custom{}, "scale not given"},
		{path, Custom{Scale: "0,1", Output: "logits"}, `no output "logits" in the model (it has: block_10_project_BN_gap)`},
		{path, Custom{Scale: "0,255"}, `scale "0,255"`},
		{path, Custom{Scale: "0,1", Size: 256}, "not the square size 256"},
		{path, Custom{Scale: "0,1", Layout: "NCHW"}, "has 224 channels"},
		{"inception_v3", Custom{Scale: "0,1"}, "built in"},
	}
	for _, c := range cases {
		_, err := s.Resolve(ctx, c.ref, c.c)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resolve(%s, %+v) = %v, want error containing %q", c.ref, c.c, err, c.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "odd.onnx")
	os.WriteFile(bad, []byte("not a model"), 0o644)
	os.WriteFile(strings.TrimSuffix(bad, ".onnx")+".json", []byte(`{"scale":"0,1","colour":"red"}`), 0o644)
	if _, err := s.Resolve(ctx, bad, Custom{}); err == nil || !strings.Contains(err.Error(), `odd.json: json: unknown field "colour"`) {
		t.Errorf("bad sidecar: %v", err)
	}
	os.Remove(strings.TrimSuffix(bad, ".onnx") + ".json")
	if _, err := s.Resolve(ctx, bad, Custom{Scale: "0,1"}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("not a model: %v", err)
	}
}
