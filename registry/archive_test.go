package registry_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/registry"
)

// writeTarGz writes a .tgz of the given regular files (name → content) plus a
// folder and a symlink entry, in the order listed.
func writeTarGz(t *testing.T, names []string, content map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pkg.tgz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tw.WriteHeader(&tar.Header{Name: "./package/", Typeflag: tar.TypeDir, Mode: 0o755}))
	for _, name := range names {
		must(tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content[name]))}))
		_, err := io.WriteString(tw, content[name])
		must(err)
	}
	must(tw.WriteHeader(&tar.Header{Name: "package/link", Typeflag: tar.TypeSymlink, Linkname: "README"}))
	must(tw.Close())
	must(gz.Close())
	must(f.Close())
	return path
}

// entry is what a walk saw of one archive entry.
type entry struct {
	name string
	typ  byte
	body string
}

func collect(seen *[]entry) registry.Entry {
	return func(name string, hdr *tar.Header, body io.Reader) error {
		b, err := io.ReadAll(body)
		*seen = append(*seen, entry{name, hdr.Typeflag, string(b)})
		return err
	}
}

func TestWalkTarGz_GivesEveryEntryWithACleanName(t *testing.T) {
	tgz := writeTarGz(t, []string{"./package/README", "package/lib/../index.js"},
		map[string]string{"./package/README": "read me", "package/lib/../index.js": "module.exports = 1"})
	var seen []entry
	if err := registry.WalkTarGz(context.Background(), tgz, collect(&seen)); err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{"package", tar.TypeDir, ""},
		{"package/README", tar.TypeReg, "read me"},
		{"package/index.js", tar.TypeReg, "module.exports = 1"},
		{"package/link", tar.TypeSymlink, ""},
	}
	if len(seen) != len(want) {
		t.Fatalf("saw %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, seen[i], want[i])
		}
	}
}

func TestWalkTarGz_StopsAtTheFirstErrorNamingFileAndEntry(t *testing.T) {
	tgz := writeTarGz(t, []string{"package/a", "package/b"}, map[string]string{"package/a": "a", "package/b": "b"})
	calls := 0
	err := registry.WalkTarGz(context.Background(), tgz, func(name string, hdr *tar.Header, body io.Reader) error {
		calls++
		if name == "package/a" {
			return errors.New("bad PNG")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), tgz+": package/a: bad PNG") || calls != 2 {
		t.Errorf("err = %v after %d calls, want it to name the file and entry after 2 calls", err, calls)
	}
}

func TestWalkTarGz_StopsWhenTheContextIsDone(t *testing.T) {
	tgz := writeTarGz(t, []string{"package/a"}, map[string]string{"package/a": "a"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := registry.WalkTarGz(ctx, tgz, func(string, *tar.Header, io.Reader) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWalkTarGz_NotGzipIsAnErrorNamingTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.tgz")
	if err := os.WriteFile(path, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := registry.WalkTarGz(context.Background(), path, collect(new([]entry))); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
}

// buildDeb builds a real Debian package holding usr/share/demo/hello.txt and
// usr/share/demo/bye.txt with dpkg-deb.
func buildDeb(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but dpkg-deb is missing: %v", err)
		}
		t.Skip("dpkg-deb not installed")
	}
	root := filepath.Join(t.TempDir(), "demo")
	files := map[string]string{
		"DEBIAN/control":           "Package: demo\nVersion: 1.0\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: test package\n",
		"usr/share/demo/hello.txt": "hello\n",
		"usr/share/demo/bye.txt":   "bye\n",
	}
	for rel, content := range files {
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(t.TempDir(), "demo_1.0_all.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}
	return deb
}

func TestWalkDeb_GivesTheFileSystemTree(t *testing.T) {
	deb := buildDeb(t)
	var seen []entry
	if err := registry.WalkDeb(context.Background(), deb, collect(&seen)); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range seen {
		if e.typ == tar.TypeReg {
			got[e.name] = e.body
		}
	}
	if len(got) != 2 || got["usr/share/demo/hello.txt"] != "hello\n" || got["usr/share/demo/bye.txt"] != "bye\n" {
		t.Errorf("regular files %v", got)
	}
}

func TestWalkDeb_StopsAtTheFirstErrorNamingFileAndEntry(t *testing.T) {
	deb := buildDeb(t)
	err := registry.WalkDeb(context.Background(), deb, func(name string, hdr *tar.Header, body io.Reader) error {
		if hdr.Typeflag == tar.TypeReg {
			return errors.New("stop here")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), deb+": ./usr/share/demo/") || !strings.Contains(err.Error(), "stop here") {
		t.Errorf("err = %v", err)
	}
}

func TestWalkDeb_WithoutDpkgDebSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := registry.WalkDeb(context.Background(), "some.deb", collect(new([]entry)))
	if !errors.Is(err, registry.ErrToolMissing) || !strings.Contains(err.Error(), "needs dpkg-deb (Debian package dpkg)") {
		t.Errorf("err = %v", err)
	}
}
