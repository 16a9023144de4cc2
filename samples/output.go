package samples

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// metadataColumns are PixPlot's metadata columns, written first and in this order;
// the Extra columns follow in alphabetical order.
var metadataColumns = []string{"filename", "category", "tags", "description", "permalink", "year", "label"}

// WriteMetadata writes records as a PixPlot metadata CSV: a header row, then one
// row per record, tags joined by "|", empty cells for missing values.
func WriteMetadata(w io.Writer, records []Record) error {
	extra := map[string]bool{}
	for _, r := range records {
		for k := range r.Meta.Extra {
			extra[k] = true
		}
	}
	extraColumns := slices.Sorted(maps.Keys(extra))
	cw := csv.NewWriter(w)
	if err := cw.Write(append(slices.Clone(metadataColumns), extraColumns...)); err != nil {
		return err
	}
	for _, r := range records {
		m := r.Meta
		year := ""
		if m.Year != nil {
			year = strconv.Itoa(*m.Year)
		}
		row := []string{r.Filename, m.Category, strings.Join(m.Tags, "|"), m.Description, m.Permalink, year, m.Label}
		for _, k := range extraColumns {
			row = append(row, m.Extra[k])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSample copies the records' images from imagesDir and writes metadata.csv,
// building outDir beside itself and renaming it into place when complete.
func writeSample(ctx context.Context, imagesDir string, records []Record, outDir string) error {
	if err := os.Remove(outDir); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("samples: output %s: %w", outDir, err) // requireEmptyDir let only an empty folder through
	}
	return publishDir(outDir, func(tmp string) error {
		for _, r := range records {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := copyFile(filepath.Join(imagesDir, filepath.FromSlash(r.Filename)), tmp, r.Filename); err != nil {
				return fmt.Errorf("samples: copy %s: %w", r.Filename, err)
			}
		}
		f, err := os.Create(filepath.Join(tmp, MetadataFile))
		if err != nil {
			return err
		}
		if err := WriteMetadata(f, records); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

func copyFile(src, root, rel string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeUnder(root, rel, in)
}

// writeUnder writes body to root/rel, refusing a rel that would leave root.
func writeUnder(root, rel string, body io.Reader) error {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return fmt.Errorf("refusing path %q outside the sample", rel)
	}
	dst := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
