package registry

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// NPMPack puts the tarball of one pinned npm package version (spec is
// name@version) into dir as name-version.tgz, running `npm pack spec` unless
// that file is there already, and returns its path. A fetched tarball must have
// sha256 wantSHA256; "" checks nothing, for callers that check what they
// extract. npm pack runs no install scripts. Progress goes to log (nil: none).
func NPMPack(ctx context.Context, spec, wantSHA256, dir string, log io.Writer) (string, error) {
	path := filepath.Join(dir, npmTarballName(spec))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm pack %s: %w", spec, ErrNoNPM)
	}
	logf(log, "downloading %s (npm pack)", spec)
	cmd := exec.CommandContext(ctx, "npm", "pack", spec)
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
	return fetchInto(cmd, dir, path, wantSHA256, ".tgz", log)
}

// npmTarballName is the file name npm pack gives spec's tarball:
// @scope/name@1.2.3 becomes scope-name-1.2.3.tgz.
func npmTarballName(spec string) string {
	base := strings.ReplaceAll(strings.TrimPrefix(spec, "@"), "/", "-")
	return strings.Replace(base, "@", "-", 1) + ".tgz"
}

// AptDownload puts one pinned Debian package version into dir as
// name_version.deb, running `apt-get download name=version` unless that file
// is there already, checks its sha256 against wantSHA256 and returns its path.
// Progress goes to log (nil: none).
func AptDownload(ctx context.Context, name, version, wantSHA256, dir string, log io.Writer) (string, error) {
	path := filepath.Join(dir, name+"_"+CacheName(version)+".deb")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", fmt.Errorf("fetching %s %s needs apt-get (it runs `apt-get download %s=%s`) on a Debian or Ubuntu system: %w", name, version, name, version, ErrToolMissing)
	}
	logf(log, "downloading %s=%s (apt-get download)", name, version)
	path, err := fetchInto(exec.CommandContext(ctx, "apt-get", "download", name+"="+version), dir, path, wantSHA256, ".deb", log)
	if err != nil {
		return "", fmt.Errorf("%w (if apt cannot find the package, run `apt-get update` first)", err)
	}
	return path, nil
}

// CacheName turns a package spec (name@version, name=version) or a version
// into a file or folder name for the cache.
func CacheName(s string) string {
	return strings.NewReplacer("@", "-", ":", "_", "/", "_").Replace(s)
}

// fetchInto runs a download command in a fresh temporary folder under dir,
// checks that it left exactly one file ending in ext, with sha256 wantSHA256
// unless that is "", and moves it to path.
func fetchInto(cmd *exec.Cmd, dir, path, wantSHA256, ext string, log io.Writer) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, ".fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	what := strings.Join(cmd.Args, " ")
	if err != nil {
		return "", fmt.Errorf("`%s` failed: %v\n%s: %w", what, err, tail(out, 2000), ErrDownload)
	}
	got, err := filepath.Glob(filepath.Join(tmp, "*"+ext))
	if err != nil || len(got) != 1 {
		return "", fmt.Errorf("`%s` left %d %s files, want 1: %w", what, len(got), ext, ErrDownload)
	}
	if wantSHA256 != "" {
		sum, err := FileSHA256(got[0])
		if err != nil {
			return "", err
		}
		if sum != wantSHA256 {
			return "", fmt.Errorf("`%s` gave %s with SHA-256 %s, want %s: %w", what, filepath.Base(got[0]), sum, wantSHA256, ErrDownload)
		}
	}
	if err := os.Rename(got[0], path); err != nil {
		return "", err
	}
	if info, err := os.Stat(path); err == nil {
		logf(log, "downloaded %s (%.1f MB in %.1fs)", filepath.Base(path), float64(info.Size())/1e6, time.Since(start).Seconds())
	}
	return path, nil
}

// tail is the last n bytes of a command's output, for an error message.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
