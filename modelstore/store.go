// Package modelstore provides what embedding needs on this machine, fetched
// once into a cache directory (`pixplot setup`): the ONNX Runtime shared
// library and the built-in models, converted from nsfwjs's TF.js models to
// ONNX by tfjsonnx. Everything comes from pinned npm package versions through
// `npm pack`; every produced file is checked against a sha256 pinned here.
// It also resolves a user's own .onnx model into a pixplot.Model.
package modelstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/registry"
	"github.com/pixplot/pixplot/tfjsonnx"
)

// Pinned sources.
const (
	RuntimePackage = "onnxruntime-node@1.24.3"
	ModelsPackage  = "nsfwjs@4.4.0"

	runtimeEntry = "package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
	runtimeFile  = "onnxruntime-node-1.24.3/libonnxruntime.so.1"
	runtimeSHA   = "92ba8e44d31b80a34f5e805076a044122c3be1fffe0d88ed790de7267b0b2682"

	modelsEntry = "package/dist/models/"
	licenseFile = "nsfwjs-4.4.0/LICENSE"
	sourcesDir  = "nsfwjs-4.4.0" // <name>/model.min.js and shards, as shipped
)

// Store is a cache directory of runtime and models.
type Store struct {
	Dir string    // cache directory
	Log io.Writer // progress messages; nil for none
}

// Default returns the store in the cache directory, registry.CacheDir().
func Default(log io.Writer) Store { return Store{Dir: registry.CacheDir(), Log: log} }

func (s Store) logf(format string, args ...any) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, format+"\n", args...)
	}
}

// Runtime returns the path of libonnxruntime.so.1, fetching it on first use.
func (s Store) Runtime(ctx context.Context) (string, error) {
	lib := filepath.Join(s.Dir, filepath.FromSlash(runtimeFile))
	err := s.ensure(runtimeFile, runtimeSHA, func(m manifest) error {
		s.logf("fetching ONNX Runtime: npm pack %s (86 MB)", RuntimePackage)
		tmp, err := os.MkdirTemp("", "pixplot-npm-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		tgz, err := registry.NPMPack(ctx, RuntimePackage, "", tmp, nil)
		if err != nil {
			return err
		}
		got, err := extract(ctx, tgz, s.Dir, func(name string) (string, bool) {
			return runtimeFile, name == runtimeEntry
		})
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return fmt.Errorf("%s has no %s", RuntimePackage, runtimeEntry)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("onnx runtime: %w", err)
	}
	return lib, nil
}

// ensure makes sure the cache file rel exists with sha256 want (any when want
// is ""), calling create (under the cache lock) to produce it when it is
// missing, changed or unrecorded.
func (s Store) ensure(rel, want string, create func(manifest) error) error {
	if m, err := s.readManifest(); err == nil {
		if sum := s.cachedSHA(m, rel); sum != "" && (want == "" || sum == want) {
			return nil
		}
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	m, err := s.readManifest() // another process may have made it meanwhile
	if err != nil {
		return err
	}
	if sum := s.cachedSHA(m, rel); sum != "" && (want == "" || sum == want) {
		return nil
	}
	path := filepath.Join(s.Dir, filepath.FromSlash(rel))
	if _, err := os.Stat(path); err == nil { // present but unrecorded or changed
		if sum, err := s.record(m, rel); err == nil && (want == "" || sum == want) {
			return s.writeManifest(m)
		}
	}
	if err := create(m); err != nil {
		return err
	}
	sum, err := s.record(m, rel)
	if err != nil {
		return err
	}
	if want != "" && sum != want {
		return fmt.Errorf("%s: sha256 %s, expected %s", path, sum, want)
	}
	return s.writeManifest(m)
}

// sources extracts nsfwjs's model files (as shipped: UMD .min.js modules) and
// its LICENSE into the cache, once; the caller holds the cache lock.
func (s Store) sources(ctx context.Context, m manifest) error {
	if s.cachedSHA(m, licenseFile) != "" && s.haveSources(m) {
		return nil
	}
	s.logf("fetching models: npm pack %s (25 MB)", ModelsPackage)
	tmp, err := os.MkdirTemp("", "pixplot-npm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	tgz, err := registry.NPMPack(ctx, ModelsPackage, "", tmp, nil)
	if err != nil {
		return err
	}
	var files []string
	_, err = extract(ctx, tgz, s.Dir, func(name string) (string, bool) {
		if name == "package/LICENSE" {
			files = append(files, licenseFile)
			return licenseFile, true
		}
		for _, b := range builtins {
			if rest, ok := strings.CutPrefix(name, modelsEntry+b.Name+"/"); ok && strings.HasSuffix(rest, ".min.js") && !strings.Contains(rest, "/") {
				rel := path.Join(sourcesDir, b.Name, rest)
				files = append(files, rel)
				return rel, true
			}
		}
		return "", false
	})
	if err != nil {
		return err
	}
	for _, rel := range files {
		if _, err := s.record(m, rel); err != nil {
			return err
		}
	}
	if !s.haveSources(m) {
		return fmt.Errorf("%s lacks the model files of %v", ModelsPackage, builtinNames())
	}
	return s.writeManifest(m)
}

// haveSources reports whether every built-in model's model.min.js and the
// shards it names are in the cache.
func (s Store) haveSources(m manifest) bool {
	for _, b := range builtins {
		if s.cachedSHA(m, path.Join(sourcesDir, b.Name, "model.min.js")) == "" {
			return false
		}
		for _, shard := range b.shards {
			if s.cachedSHA(m, path.Join(sourcesDir, b.Name, shard+".min.js")) == "" {
				return false
			}
		}
	}
	return true
}

// Source returns a built-in model as the TF.js layers model nsfwjs ships,
// fetching the package on first use. pixplot converts it with tfjsonnx.
func (s Store) Source(ctx context.Context, name string) (tfjsonnx.Model, error) {
	b, ok := builtinByName(name)
	if !ok {
		return tfjsonnx.Model{}, unknownBuiltin(name)
	}
	if err := s.withSources(ctx); err != nil {
		return tfjsonnx.Model{}, err
	}
	return s.readSource(b)
}

// withSources makes sure the nsfwjs sources are cached.
func (s Store) withSources(ctx context.Context) error {
	if m, err := s.readManifest(); err == nil && s.haveSources(m) {
		return nil
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	m, err := s.readManifest()
	if err != nil {
		return err
	}
	return s.sources(ctx, m)
}

func (s Store) readSource(b builtin) (tfjsonnx.Model, error) {
	dir := filepath.Join(s.Dir, sourcesDir, b.Name)
	file := filepath.Join(dir, "model.min.js")
	src, err := os.ReadFile(file)
	if err != nil {
		return tfjsonnx.Model{}, err
	}
	topology, manifest, err := parseModelJS(file, src)
	if err != nil {
		return tfjsonnx.Model{}, err
	}
	model := tfjsonnx.Model{Topology: topology, Manifest: manifest}
	for _, g := range manifest {
		for _, p := range g.Paths {
			file := filepath.Join(dir, filepath.FromSlash(p)+".min.js")
			src, err := os.ReadFile(file)
			if err != nil {
				return tfjsonnx.Model{}, err
			}
			shard, err := parseShardJS(file, src)
			if err != nil {
				return tfjsonnx.Model{}, err
			}
			model.Weights = append(model.Weights, shard...)
		}
	}
	return model, nil
}

// Builtin returns a built-in model, fetching and converting it on first use.
func (s Store) Builtin(ctx context.Context, name string) (pixplot.Model, error) {
	b, ok := builtinByName(name)
	if !ok {
		return pixplot.Model{}, unknownBuiltin(name)
	}
	rel := path.Join("models", b.Name+".onnx")
	err := s.ensure(rel, b.SHA256, func(m manifest) error {
		if err := s.sources(ctx, m); err != nil {
			return err
		}
		start := time.Now()
		src, err := s.readSource(b)
		if err != nil {
			return err
		}
		onnx, err := tfjsonnx.Convert(src, tfjsonnx.Options{Outputs: b.outputs})
		if err != nil {
			return fmt.Errorf("convert %s: %w", b.Name, err)
		}
		if sum := fmt.Sprintf("%x", sha256.Sum256(onnx)); sum != b.SHA256 {
			return fmt.Errorf("converted %s has sha256 %s, expected %s: the package or tfjsonnx changed; "+
				"if that was intended, pin the new sha256 in modelstore/builtin.go", b.Name, sum, b.SHA256)
		}
		if err := registry.WriteAtomic(filepath.Join(s.Dir, filepath.FromSlash(rel)), onnx); err != nil {
			return err
		}
		s.logf("converted %s to ONNX (%.1f MB) in %v", b.Name, float64(len(onnx))/1e6, time.Since(start).Round(time.Millisecond))
		return nil
	})
	if err != nil {
		return pixplot.Model{}, fmt.Errorf("model %s: %w", name, err)
	}
	return b.model(filepath.Join(s.Dir, filepath.FromSlash(rel))), nil
}

// Setup fetches the runtime and every built-in model (instant when cached)
// and says where they are.
func (s Store) Setup(ctx context.Context) error {
	lib, err := s.Runtime(ctx)
	if err != nil {
		return err
	}
	s.logf("runtime  %s", lib)
	for _, b := range builtins {
		m, err := s.Builtin(ctx, b.Name)
		if err != nil {
			return err
		}
		s.logf("model    %-13s %s (output %s, %d-d)", m.Name, m.File, m.Output, m.Dims)
	}
	s.logf("licence  %s", filepath.Join(s.Dir, filepath.FromSlash(licenseFile)))
	return nil
}
