package samples

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// tarEntry is called for every entry of an archive; name is slash-separated with
// any leading "./" removed.
type tarEntry func(name string, hdr *tar.Header, body io.Reader) error

// walkTarGz calls fn for each entry of a .tgz file.
func walkTarGz(ctx context.Context, file string, fn tarEntry) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("samples: %s: %w", file, err)
	}
	defer gz.Close()
	if err := walkTar(ctx, gz, fn); err != nil {
		return fmt.Errorf("samples: %s: %w", file, err)
	}
	return nil
}

// walkDeb calls fn for each entry of a Debian package's file system tree. The tree
// is xz-compressed, which the Go standard library cannot read, so dpkg-deb unpacks
// the stream and Go reads the tar.
func walkDeb(ctx context.Context, file string, fn tarEntry) error {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		return fmt.Errorf("samples: reading %s needs dpkg-deb (Debian package dpkg): %w", file, ErrToolMissing)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("samples: dpkg-deb: %w", err)
	}
	walkErr := walkTar(ctx, stdout, fn)
	if walkErr != nil {
		cancel() // stop dpkg-deb; its exit error is then not the news
		cmd.Wait()
		return fmt.Errorf("samples: %s: %w", file, walkErr)
	}
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("samples: dpkg-deb --fsys-tarfile %s: %v: %s", file, err, tail(stderr.Bytes(), 1000))
	}
	return nil
}

func walkTar(ctx context.Context, r io.Reader, fn tarEntry) error {
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path.Clean(hdr.Name), "./")
		if err := fn(name, hdr, tr); err != nil {
			return fmt.Errorf("%s: %w", hdr.Name, err)
		}
	}
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
