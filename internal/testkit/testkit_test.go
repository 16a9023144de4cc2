package testkit_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/pixplot/pixplot/internal/testkit"
)

// metadataRows reads dir/metadata.csv without its header and checks each row's file exists.
func metadataRows(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metadata.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(row[0]))); err != nil {
			t.Errorf("metadata names a missing image: %v", err)
		}
	}
	return rows[1:]
}

func categories(rows [][]string) map[string]int {
	counts := map[string]int{}
	for _, row := range rows {
		counts[row[1]]++
	}
	return counts
}

func TestEmoji_GivesNImagesOverAllCategories(t *testing.T) {
	dir := testkit.Emoji(t, 20)
	rows := metadataRows(t, dir)
	if len(rows) != 20 {
		t.Errorf("%d emoji, want 20", len(rows))
	}
	if got := categories(rows); len(got) != 10 {
		t.Errorf("categories = %v, want all 10", got)
	}
	if again := testkit.Emoji(t, 20); again != dir {
		t.Errorf("second call gave %s, want the cached %s", again, dir)
	}
}

func TestOpenclipart_GivesNImagesInCategoryFolders(t *testing.T) {
	rows := metadataRows(t, testkit.Openclipart(t, 44))
	if got := categories(rows); len(got) != 22 || len(rows) != 44 {
		t.Errorf("%d images in categories %v, want 2 in each of 22", len(rows), got)
	}
}

func TestPhotos_GivesTheFourteenPhotos(t *testing.T) {
	if rows := metadataRows(t, testkit.Photos(t)); len(rows) != 14 {
		t.Errorf("%d photos, want 14", len(rows))
	}
}

func TestWritable_CopiesSoTheSharedFolderStaysIntact(t *testing.T) {
	shared := testkit.Emoji(t, 20)
	copyDir := testkit.Writable(t, shared)
	if err := os.Remove(filepath.Join(copyDir, "metadata.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(shared, "metadata.csv")); err != nil {
		t.Errorf("shared folder changed: %v", err)
	}
	if len(metadataRows(t, testkit.Writable(t, shared))) != 20 {
		t.Error("copy lacks images")
	}
}

func TestEmoji_SkipsOutsideCIWhenNpmIsMissing(t *testing.T) {
	t.Setenv("PIXPLOT_CACHE", t.TempDir())
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "")
	var sub *testing.T
	t.Run("without npm", func(st *testing.T) {
		sub = st
		testkit.Emoji(st, 3)
	})
	if !sub.Skipped() {
		t.Error("not skipped")
	}
}
