package ingest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// tree creates files (contents irrelevant to discovery) below a temp dir.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func paths(d Discovery) []string {
	var out []string
	for _, it := range d.Items {
		out = append(out, it.Path)
	}
	return out
}

func problemsOf(d Discovery) []string {
	var out []string
	for _, p := range d.Problems {
		out = append(out, p.String())
	}
	return out
}

func discover(t *testing.T, spec string) Discovery {
	t.Helper()
	d, err := Discover(context.Background(), spec, RemoteOptions{})
	if err != nil {
		t.Fatalf("Discover(%q): %v", spec, err)
	}
	return d
}

func TestDiscover_DirectoryTakesImagesRecursivelyAndSkipsHidden(t *testing.T) {
	root := tree(t, "a.jpg", "B.JPEG", "notes.txt", "sub/c.Png", "sub/deeper/d.webp", "sub/e.tif",
		".hidden/f.jpg", "sub/.g.jpg", "._h.jpg", "i.gif", "j.bmp", "k.tiff")
	d := discover(t, root)
	want := []string{"B.JPEG", "a.jpg", "i.gif", "j.bmp", "k.tiff", "sub/c.Png", "sub/deeper/d.webp", "sub/e.tif"}
	if got := paths(d); !reflect.DeepEqual(got, want) {
		t.Errorf("paths = %q\nwant %q", got, want)
	}
	if len(d.Problems) != 0 {
		t.Errorf("problems: %q", problemsOf(d))
	}
	it := d.Items[1]
	if it.Source != filepath.Join(root, "a.jpg") || it.Filename != "a.jpg" || it.Size != 1 || it.ModTime == 0 || d.Root != root {
		t.Errorf("item = %+v, root %q", it, d.Root)
	}
}

func TestDiscover_UnicodeAndSpacesInPaths(t *testing.T) {
	root := tree(t, "Fotos 1920/Straße mit Bäumen.jpg", "写真/猫 の 写真.png", "emoji 🐈/cat.jpg")
	d := discover(t, root)
	want := []string{"Fotos 1920/Straße mit Bäumen.jpg", "emoji 🐈/cat.jpg", "写真/猫 の 写真.png"}
	if got := paths(d); !reflect.DeepEqual(got, want) {
		t.Errorf("paths = %q, want %q", got, want)
	}
	if d.Items[2].Filename != "猫 の 写真.png" {
		t.Errorf("filename = %q", d.Items[2].Filename)
	}
	g := discover(t, filepath.Join(root, "*", "* *.*"))
	if got := paths(g); !reflect.DeepEqual(got, []string{"Fotos 1920/Straße mit Bäumen.jpg", "写真/猫 の 写真.png"}) {
		t.Errorf("glob paths = %q", got)
	}
}

func TestDiscover_SymlinkLoopIsReportedAndDiscoveryContinues(t *testing.T) {
	root := tree(t, "a/x.jpg", "b/y.jpg")
	if err := os.Symlink("..", filepath.Join(root, "a", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "b"), filepath.Join(root, "a", "to-b")); err != nil {
		t.Fatal(err)
	}
	d := discover(t, root)
	if got := paths(d); !reflect.DeepEqual(got, []string{"a/to-b/y.jpg", "a/x.jpg"}) {
		t.Errorf("paths = %q (b reached through a link is listed once)", got)
	}
	probs := problemsOf(d)
	if len(probs) != 1 || !strings.Contains(probs[0], filepath.Join(root, "a", "up")+": symlink loop") {
		t.Errorf("problems = %q", probs)
	}
	g := discover(t, filepath.Join(root, "**", "*.jpg"))
	if got := paths(g); !reflect.DeepEqual(got, []string{"a/to-b/y.jpg", "a/x.jpg"}) {
		t.Errorf("glob paths = %q", got)
	}
	if probs := problemsOf(g); len(probs) != 1 || !strings.Contains(probs[0], "symlink loop") {
		t.Errorf("glob problems = %q", probs)
	}
}

// Tests run as root, which can read any file, so unreadable files are made
// of what root cannot read either: dangling symlinks and FIFOs (which would
// block a reader forever).
func TestDiscover_UnusableEntriesAreReportedNotFatal(t *testing.T) {
	root := tree(t, "good.jpg", "sub/also.png")
	if err := os.Symlink(filepath.Join(root, "gone.jpg"), filepath.Join(root, "dangling.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "sub", "pipe.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{root, filepath.Join(root, "**", "*")} {
		d := discover(t, spec)
		if got := paths(d); !reflect.DeepEqual(got, []string{"good.jpg", "sub/also.png"}) {
			t.Errorf("%s: paths = %q", spec, got)
		}
		want := []string{
			filepath.Join(root, "dangling.jpg") + `: broken symlink to "` + filepath.Join(root, "gone.jpg") + `": no such file or directory`,
			filepath.Join(root, "sub", "pipe.jpg") + ": not a regular file (a named pipe); skipped",
		}
		if got := problemsOf(d); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: problems =\n%q\nwant\n%q", spec, got, want)
		}
	}
}

func TestDiscover_GlobWithDoubleStar(t *testing.T) {
	root := tree(t, "top.jpg", "a/one.jpg", "a/b/two.JPG", "a/b/c/three.jpg", "a/b/c/skip.png", "a/.hid/four.jpg", "x/five.jpg")
	cases := []struct {
		pattern string
		want    []string
	}{
		{"**/*.jpg", []string{"a/b/c/three.jpg", "a/one.jpg", "top.jpg", "x/five.jpg"}},
		{"a/**/*.jpg", []string{"b/c/three.jpg", "one.jpg"}},
		{"a/**/*.[jJ][pP][gG]", []string{"b/c/three.jpg", "b/two.JPG", "one.jpg"}},
		{"a/**", []string{"b/c/skip.png", "b/c/three.jpg", "b/two.JPG", "one.jpg"}},
		{"*/*/*/*", []string{"a/b/c/skip.png", "a/b/c/three.jpg"}},
		{"a/*/two.JPG", []string{"b/two.JPG"}},
		{"**/**/three.jpg", []string{"a/b/c/three.jpg"}},
		{"a/.*/*.jpg", []string{".hid/four.jpg"}},
		{"*.jpg", []string{"top.jpg"}},
	}
	for _, c := range cases {
		d := discover(t, filepath.Join(root, c.pattern))
		if got := paths(d); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: paths = %q, want %q", c.pattern, got, c.want)
		}
	}
}

func TestDiscover_RelativeGlobIsRelativeToItsLiteralRoot(t *testing.T) {
	root := tree(t, "photos/2020/a.jpg", "photos/2021/b.jpg")
	t.Chdir(root)
	d := discover(t, "photos/**/*.jpg")
	if got := paths(d); !reflect.DeepEqual(got, []string{"2020/a.jpg", "2021/b.jpg"}) {
		t.Errorf("paths = %q", got)
	}
	if d.Root != filepath.Join(root, "photos") || d.Items[0].Source != filepath.Join(root, "photos", "2020", "a.jpg") {
		t.Errorf("root %q source %q", d.Root, d.Items[0].Source)
	}
}

func TestDiscover_GlobOnlyTakesImagesUnlessItNamesAnExtension(t *testing.T) {
	root := tree(t, "a.jpg", "b.txt", "c.dat")
	if got := paths(discover(t, filepath.Join(root, "*"))); !reflect.DeepEqual(got, []string{"a.jpg"}) {
		t.Errorf("* = %q", got)
	}
	if got := paths(discover(t, filepath.Join(root, "*.dat"))); !reflect.DeepEqual(got, []string{"c.dat"}) {
		t.Errorf("*.dat = %q", got)
	}
}

func TestDiscover_SingleImageFile(t *testing.T) {
	root := tree(t, "one image.png", "other.png")
	d := discover(t, filepath.Join(root, "one image.png"))
	if got := paths(d); !reflect.DeepEqual(got, []string{"one image.png"}) || d.Root != root {
		t.Errorf("paths = %q root %q", got, d.Root)
	}
}

func TestDiscover_BadSpecsAreErrors(t *testing.T) {
	root := tree(t, "a.jpg")
	cases := map[string]string{
		filepath.Join(root, "missing"):          "no such file or directory",
		filepath.Join(root, "missing", "*.jpg"): "no such file or directory",
		filepath.Join(root, "[a-.jpg"):          "bad pattern",
		filepath.Join(root, "a**b", "*.jpg"):    `"**" must be a whole path segment`,
		"":                                      "no images given",
	}
	for spec, want := range cases {
		_, err := Discover(context.Background(), spec, RemoteOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Discover(%q) error = %v, want it to say %q", spec, err, want)
		}
	}
}

func TestRemovedSources_OnlyWhatTheSpecCovers(t *testing.T) {
	root := tree(t, "keep/a.jpg", "keep/b.jpg", "other/c.jpg")
	glob := discover(t, filepath.Join(root, "keep", "*.jpg"))
	known := map[string]struct{}{
		filepath.Join(root, "keep", "a.jpg"):        {}, // still there
		filepath.Join(root, "keep", "gone.jpg"):     {}, // removed
		filepath.Join(root, "keep", "sub", "x.jpg"): {}, // not matched by keep/*.jpg
		filepath.Join(root, "other", "c.jpg"):       {}, // another spec's image
		"https://example.org/i.jpg":                 {},
	}
	got := removedSources(glob, knownImages(known))
	if want := []string{filepath.Join(root, "keep", "gone.jpg")}; !reflect.DeepEqual(got, want) {
		t.Errorf("glob: removed = %q, want %q", got, want)
	}
	dir := discover(t, filepath.Join(root, "keep"))
	got = removedSources(dir, knownImages(known))
	want := []string{filepath.Join(root, "keep", "gone.jpg"), filepath.Join(root, "keep", "sub", "x.jpg")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dir: removed = %q, want %q", got, want)
	}
}

func TestMatchSegments(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"**/*.jpg", "a.jpg", true},
		{"**/*.jpg", "x/y/a.jpg", true},
		{"**/*.jpg", ".x/a.jpg", false},
		{"a/**/b/*.jpg", "a/b/c.jpg", true},
		{"a/**/b/*.jpg", "a/q/r/b/c.jpg", true},
		{"a/*.jpg", "a/b/c.jpg", false},
		{"*.jpg", ".a.jpg", false},
	}
	for _, c := range cases {
		if got := matchSegments(strings.Split(c.pattern, "/"), strings.Split(c.path, "/")); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}
