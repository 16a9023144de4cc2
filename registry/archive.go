package registry

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
	"strings"
)

// Entry is called for every entry of an archive; name is slash-separated,
// cleaned, with any leading "./" removed, and body reads a regular file's bytes.
type Entry func(name string, hdr *tar.Header, body io.Reader) error

// WalkTarGz calls fn for each entry of a .tgz file (an npm package), stopping
// at fn's first error or when ctx is done.
func WalkTarGz(ctx context.Context, file string, fn Entry) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer gz.Close()
	if err := walkTar(ctx, gz, fn); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// WalkDeb calls fn for each entry of a Debian package's file system tree,
// stopping at fn's first error or when ctx is done. The tree is usually
// xz-compressed, which the Go standard library cannot read, so dpkg-deb
// unpacks the stream and Go reads the tar.
func WalkDeb(ctx context.Context, file string, fn Entry) error {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		return fmt.Errorf("reading %s needs dpkg-deb (Debian package dpkg): %w", file, ErrToolMissing)
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
		return fmt.Errorf("dpkg-deb: %w", err)
	}
	if err := walkTar(ctx, stdout, fn); err != nil {
		cancel() // stop dpkg-deb; its exit error is then not the news
		cmd.Wait()
		return fmt.Errorf("%s: %w", file, err)
	}
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("dpkg-deb --fsys-tarfile %s: %v: %s", file, err, tail(stderr.Bytes(), 1000))
	}
	return nil
}

func walkTar(ctx context.Context, r io.Reader, fn Entry) error {
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
