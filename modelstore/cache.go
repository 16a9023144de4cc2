package modelstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/pixplot/pixplot/registry"
)

// The cache directory holds fetched and produced files plus modelstore.json,
// which records each file's sha256 with the size and modification time it had
// when hashed: a file whose size and time still match is trusted without
// re-reading it, so a second `pixplot setup` only stats a few files.

const manifestName = "modelstore.json"

type manifest struct {
	Files map[string]fileRecord `json:"files"` // by slash path relative to the cache dir
}

type fileRecord struct {
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mod_time"` // unix nanoseconds
}

func (s Store) readManifest() (manifest, error) {
	m := manifest{Files: map[string]fileRecord{}}
	data, err := os.ReadFile(filepath.Join(s.Dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		// A damaged manifest only costs re-hashing: start afresh.
		return manifest{Files: map[string]fileRecord{}}, nil
	}
	if m.Files == nil {
		m.Files = map[string]fileRecord{}
	}
	return m, nil
}

func (s Store) writeManifest(m manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return registry.WriteAtomic(filepath.Join(s.Dir, manifestName), data)
}

// cachedSHA returns the recorded sha256 of rel if the file is there unchanged
// since it was recorded, else "".
func (s Store) cachedSHA(m manifest, rel string) string {
	rec, ok := m.Files[rel]
	if !ok {
		return ""
	}
	st, err := os.Stat(filepath.Join(s.Dir, filepath.FromSlash(rel)))
	if err != nil || st.Size() != rec.Size || st.ModTime().UnixNano() != rec.ModTime {
		return ""
	}
	return rec.SHA256
}

// record hashes rel and stores its sha256, size and time in m.
func (s Store) record(m manifest, rel string) (string, error) {
	path := filepath.Join(s.Dir, filepath.FromSlash(rel))
	sum, err := registry.FileSHA256(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	m.Files[rel] = fileRecord{SHA256: sum, Size: st.Size(), ModTime: st.ModTime().UnixNano()}
	return sum, nil
}

// lock takes an exclusive lock on the cache directory so that concurrent
// setups (parallel test binaries, two shells) do not fetch into it at once.
func (s Store) lock() (unlock func(), err error) {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.Dir, ".modelstore.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cache dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
