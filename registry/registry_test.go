package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/registry"
)

func TestCacheDir_IsPIXPLOT_CACHEWhenSet(t *testing.T) {
	t.Setenv("PIXPLOT_CACHE", "/somewhere/cache")
	if got := registry.CacheDir(); got != "/somewhere/cache" {
		t.Errorf("CacheDir() = %q", got)
	}
}

func TestCacheDir_DefaultsToPixplotUnderTheUserCacheDir(t *testing.T) {
	t.Setenv("PIXPLOT_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/home/someone/.cache")
	base, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache directory here")
	}
	if got, want := registry.CacheDir(), filepath.Join(base, "pixplot"); got != want {
		t.Errorf("CacheDir() = %q, want %q", got, want)
	}
}

func TestFileSHA256_HashesTheFilesBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "abc.txt")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := registry.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("FileSHA256 = %s, want %s", got, want)
	}
}

func TestFileSHA256_MissingFileIsAnErrorNamingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.tgz")
	if _, err := registry.FileSHA256(path); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
}

func TestWriteAtomic_CreatesTheFolderAndLeavesOnlyTheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	path := filepath.Join(dir, "m.onnx")
	if err := registry.WriteAtomic(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := registry.WriteAtomic(path, []byte("second")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "second" {
		t.Errorf("read %q, %v; want the second write", data, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("stat %v, %v; want mode 0644", st, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only m.onnx", len(entries))
	}
}
