package registry

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// abcSHA256 is the sha256 of the bytes "abc".
const abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

func TestNPMPack_WithoutNPMSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := NPMPack(context.Background(), "nsfwjs@4.4.0", "", t.TempDir(), nil)
	if !errors.Is(err, ErrNoNPM) || !errors.Is(err, ErrToolMissing) ||
		!strings.Contains(err.Error(), "npm pack nsfwjs@4.4.0") || !strings.Contains(err.Error(), "apt-get install npm") {
		t.Errorf("err = %v", err)
	}
}

func TestNPMPack_ReusesTheTarballAlreadyInDir(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no npm: it must not be needed
	dir := t.TempDir()
	want := filepath.Join(dir, "scope-pkg-1.2.3.tgz") // npm pack's name for @scope/pkg@1.2.3
	if err := os.WriteFile(want, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := NPMPack(context.Background(), "@scope/pkg@1.2.3", abcSHA256, dir, nil)
	if err != nil || got != want {
		t.Errorf("NPMPack = %q, %v; want %q", got, err, want)
	}
}

func TestAptDownload_WithoutAptGetSaysWhatIsNeeded(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := AptDownload(context.Background(), "openclipart-png", "1:0.18+dfsg-19", "", t.TempDir(), nil)
	if !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), "apt-get download openclipart-png=1:0.18+dfsg-19") {
		t.Errorf("err = %v", err)
	}
}

func TestAptDownload_ReusesTheDebAlreadyInDir(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	want := filepath.Join(dir, "openclipart-png_1_0.18+dfsg-19.deb")
	if err := os.WriteFile(want, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := AptDownload(context.Background(), "openclipart-png", "1:0.18+dfsg-19", abcSHA256, dir, nil)
	if err != nil || got != want {
		t.Errorf("AptDownload = %q, %v; want %q", got, err, want)
	}
}

func TestCacheName_MakesSpecsSafeFileNames(t *testing.T) {
	for spec, want := range map[string]string{
		"emoji-datasource-google@16.0.0": "emoji-datasource-google-16.0.0",
		"openclipart-png=1:0.18+dfsg-19": "openclipart-png=1_0.18+dfsg-19",
	} {
		if got := CacheName(spec); got != want {
			t.Errorf("CacheName(%q) = %q, want %q", spec, got, want)
		}
	}
}

// shell is a download command that runs script in the folder fetchInto gives it.
func shell(script string) *exec.Cmd {
	return exec.Command("sh", "-c", script)
}

func TestFetchInto_MovesTheCheckedFileIntoPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pkg-1.0.0.tgz")
	got, err := fetchInto(shell("printf abc > pkg-1.0.0.tgz"), dir, path, abcSHA256, ".tgz", nil)
	if err != nil || got != path {
		t.Fatalf("fetchInto = %q, %v", got, err)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "abc" {
		t.Errorf("read %q, %v", data, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dir holds %d entries, want the file only (no temporary folder)", len(entries))
	}
}

func TestFetchInto_RefusesAFileWithAnotherSHA256(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pkg-1.0.0.tgz")
	_, err := fetchInto(shell("printf abd > pkg-1.0.0.tgz"), dir, path, abcSHA256, ".tgz", nil)
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "want "+abcSHA256) {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused file was kept: %v", err)
	}
}

func TestFetchInto_FailedCommandGivesItsOutput(t *testing.T) {
	_, err := fetchInto(shell("echo 'E: Unable to locate package nope'; exit 100"), t.TempDir(), "x.deb", "", ".deb", nil)
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "Unable to locate package nope") {
		t.Errorf("err = %v", err)
	}
}

func TestFetchInto_WantsExactlyOneFile(t *testing.T) {
	_, err := fetchInto(shell("touch a.deb b.deb"), t.TempDir(), "x.deb", "", ".deb", nil)
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "left 2 .deb files, want 1") {
		t.Errorf("err = %v", err)
	}
}
