package tfjsonnx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/tfjsonnx"
	ort "github.com/yalue/onnxruntime_go"
)

// The expected values come from TF.js itself: testdata/reference.js (run once,
// see its header) built the tiny models and evaluated them and nsfwjs's real
// models with @tensorflow/tfjs-*@4.22.0.

// store is the shared model cache (npm downloads happen once per machine).
// Without npm the tests that need it skip, except under CI=true.
func store(t *testing.T) modelstore.Store {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", modelstore.ErrNoNPM)
		}
		t.Skip(modelstore.ErrNoNPM)
	}
	return modelstore.Default(nil)
}

// startRuntime loads ONNX Runtime from the cache.
func startRuntime(t *testing.T) {
	t.Helper()
	lib, err := store(t).Runtime(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := embed.Init(lib); err != nil {
		t.Fatal(err)
	}
}

// run evaluates an ONNX model on one float32 input and returns the named
// outputs, flattened.
func run(t *testing.T, model []byte, input []float32, shape []int64, outputs []string) map[string][]float32 {
	t.Helper()
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model, []string{tfjsonnx.InputName}, outputs, nil)
	if err != nil {
		t.Fatalf("onnx runtime rejects the model: %v", err)
	}
	defer s.Destroy()
	in, err := ort.NewTensor(ort.NewShape(shape...), input)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Destroy()
	outs := make([]ort.Value, len(outputs))
	if err := s.Run([]ort.Value{in}, outs); err != nil {
		t.Fatal(err)
	}
	got := map[string][]float32{}
	for i, name := range outputs {
		got[name] = append([]float32(nil), outs[i].(*ort.Tensor[float32]).GetData()...)
		outs[i].Destroy()
	}
	return got
}

// maxDiff returns max |a[i] - b[i]| and max |b[i]|.
func maxDiff(a []float32, b []float64) (diff, scale float64) {
	for i := range b {
		diff = math.Max(diff, math.Abs(float64(a[i])-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	return diff, scale
}

type tinyExpected struct {
	Batch      int       `json:"batch"`
	InputShape []int64   `json:"inputShape"`
	Input      []float32 `json:"input"`
	Outputs    map[string]struct {
		Shape  []int     `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"outputs"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Every supported layer, activation and weight encoding (float32, uint8
// quantised, float16) against TF.js, including intermediate 4-D outputs (NHWC)
// and "_gap" outputs.
func TestConvert_TinyModelsMatchTFJS(t *testing.T) {
	startRuntime(t)
	for _, name := range []string{"conv_block", "conv_block_uint8", "activations"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "tiny", name)
			m, err := tfjsonnx.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var want tinyExpected
			readJSON(t, filepath.Join(dir, "expected.json"), &want)
			var outputs []string
			for o := range want.Outputs {
				outputs = append(outputs, o)
			}
			slices.Sort(outputs)
			model, err := tfjsonnx.Convert(m, tfjsonnx.Options{Outputs: outputs})
			if err != nil {
				t.Fatal(err)
			}
			shape := append([]int64{int64(want.Batch)}, want.InputShape...)
			got := run(t, model, want.Input, shape, outputs)
			for _, o := range outputs {
				w := want.Outputs[o].Values
				if len(got[o]) != len(w) {
					t.Errorf("%s: %d values, want %d", o, len(got[o]), len(w))
					continue
				}
				if diff, scale := maxDiff(got[o], w); diff > 1e-5*math.Max(1, scale) {
					t.Errorf("%s: max |onnx - tfjs| = %.3g (max |tfjs| %.3g)", o, diff, scale)
				}
			}
		})
	}
}

func TestConvert_DefaultsToTheModelsOwnOutputs(t *testing.T) {
	startRuntime(t)
	m, err := tfjsonnx.ReadDir(filepath.Join("testdata", "tiny", "conv_block"))
	if err != nil {
		t.Fatal(err)
	}
	model, err := tfjsonnx.Convert(m, tfjsonnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want tinyExpected
	readJSON(t, filepath.Join("testdata", "tiny", "conv_block", "expected.json"), &want)
	got := run(t, model, want.Input, append([]int64{2}, want.InputShape...), []string{"dense_softmax", "dense_nobias"})
	if diff, _ := maxDiff(got["dense_softmax"], want.Outputs["dense_softmax"].Values); diff > 1e-5 {
		t.Errorf("dense_softmax differs by %g", diff)
	}
}

// syntheticImage is reference.js's syntheticImage: "noise" (xorshift32 bytes)
// or "xor" ((x^y)+85c mod 256), NHWC in [0, 1].
func syntheticImage(kind string, size int) []float32 {
	out := make([]float32, size*size*3)
	s := uint32(0x9e3779b9)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			for c := 0; c < 3; c++ {
				var b uint32
				if kind == "noise" {
					s ^= s << 13
					s ^= s >> 17
					s ^= s << 5
					b = s >> 24
				} else {
					b = uint32((x^y)+85*c) & 255
				}
				out[(y*size+x)*3+c] = float32(float64(b) / 255)
			}
		}
	}
	return out
}

type realExpected struct {
	Size    int      `json:"size"`
	Inputs  []string `json:"inputs"`
	Outputs map[string]struct {
		Shape  []int       `json:"shape"`
		Norm   []float64   `json:"norm"`
		Cosine float64     `json:"cosine"`
		Head   [][]float64 `json:"head"`
	} `json:"outputs"`
}

// nsfwjs's Inception v3 and MobileNetV2, uint8-quantised as shipped, converted
// and run by ONNX Runtime, against TF.js on the same two synthetic images:
// the embedding outputs, the final 2048/1280-d pool and the classifier.
func TestConvert_NSFWJSModelsMatchTFJS(t *testing.T) {
	startRuntime(t)
	for _, name := range modelstore.Builtins() {
		t.Run(name, func(t *testing.T) {
			src, err := store(t).Source(context.Background(), name)
			if err != nil {
				t.Fatal(err)
			}
			var want realExpected
			readJSON(t, filepath.Join("testdata", name+".expected.json"), &want)
			var outputs []string
			for o := range want.Outputs {
				outputs = append(outputs, o)
			}
			slices.Sort(outputs)
			model, err := tfjsonnx.Convert(src, tfjsonnx.Options{Outputs: outputs})
			if err != nil {
				t.Fatal(err)
			}
			// uint8 weights stay uint8 in the file (float32 would be 4 times larger).
			if full, err := tfjsonnx.Convert(src, tfjsonnx.Options{}); err != nil || len(full) > len(src.Weights)*5/4 {
				t.Errorf("whole model converts to %d bytes (error %v) from %d bytes of uint8 weights", len(full), err, len(src.Weights))
			}
			var input []float32
			for _, kind := range want.Inputs {
				input = append(input, syntheticImage(kind, want.Size)...)
			}
			n, size := int64(len(want.Inputs)), int64(want.Size)
			got := run(t, model, input, []int64{n, size, size, 3}, outputs)
			for _, o := range outputs {
				w := want.Outputs[o]
				dims := len(got[o]) / int(n)
				var vecs [][]float32
				for i := range want.Inputs {
					v := got[o][i*dims : (i+1)*dims]
					vecs = append(vecs, v)
					diff, scale := maxDiff(v, w.Head[i])
					norm := l2(v)
					t.Logf("%s %s: %d-d, max |onnx - tfjs| %.2g (max |tfjs| %.3g), norm %.6f vs %.6f",
						o, want.Inputs[i], dims, diff, scale, norm, w.Norm[i])
					if diff > 1e-4 {
						t.Errorf("%s %s: max |onnx - tfjs| = %.3g", o, want.Inputs[i], diff)
					}
					if math.Abs(norm-w.Norm[i]) > 1e-5*w.Norm[i] {
						t.Errorf("%s %s: norm %.7g, tfjs %.7g", o, want.Inputs[i], norm, w.Norm[i])
					}
				}
				if c := dot(vecs[0], vecs[1]) / (l2(vecs[0]) * l2(vecs[1])); math.Abs(c-w.Cosine) > 1e-5 {
					t.Errorf("%s: cosine(noise, xor) %.7f, tfjs %.7f", o, c, w.Cosine)
				}
			}
		})
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func l2(v []float32) float64 { return math.Sqrt(dot(v, v)) }

func TestConvert_IsDeterministicAndKeepsOnlyNeededLayers(t *testing.T) {
	m, err := tfjsonnx.ReadDir(filepath.Join("testdata", "tiny", "conv_block_uint8"))
	if err != nil {
		t.Fatal(err)
	}
	opt := tfjsonnx.Options{Outputs: []string{"add3_gap"}}
	a, err := tfjsonnx.Convert(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tfjsonnx.Convert(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two conversions differ")
	}
	for _, unneeded := range []string{"dense_softmax", "maxpool_same", "concat"} {
		if bytes.Contains(a, []byte(unneeded)) {
			t.Errorf("graph for add3_gap contains layer %s", unneeded)
		}
	}
}

func TestConvert_ErrorsNameTheLayerAndWhatIsWrong(t *testing.T) {
	m, err := tfjsonnx.ReadDir(filepath.Join("testdata", "tiny", "conv_block"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) tfjsonnx.Model {
		c := m
		c.Topology = json.RawMessage(strings.Replace(string(m.Topology), old, new, 1))
		return c
	}
	cases := []struct {
		name  string
		model tfjsonnx.Model
		opt   tfjsonnx.Options
		want  string
	}{
		{"unknown layer class", edit(`"class_name": "Flatten"`, `"class_name": "Cropping2D"`), tfjsonnx.Options{},
			`layer "flatten" (Cropping2D): layer class "Cropping2D" is not supported`},
		{"unknown activation", edit(`"activation": "softmax"`, `"activation": "gelu"`), tfjsonnx.Options{},
			`layer "dense_softmax" (Dense): activation "gelu" not supported`},
		{"unknown output", m, tfjsonnx.Options{Outputs: []string{"mixed7_gap"}},
			`output "mixed7_gap": no layer "mixed7" in the model`},
		{"gap of a vector", m, tfjsonnx.Options{Outputs: []string{"flatten_gap"}},
			`layer "flatten" is not a 4-D image tensor`},
		{"short weights", tfjsonnx.Model{Topology: m.Topology, Manifest: m.Manifest, Weights: m.Weights[:100]}, tfjsonnx.Options{},
			`weight "conv_valid/kernel": needs bytes 0..648 but the shards hold 100`},
		{"sequential", tfjsonnx.Model{Topology: json.RawMessage(`{"class_name":"Sequential","config":{}}`)}, tfjsonnx.Options{},
			`model class "Sequential" not supported`},
	}
	for _, c := range cases {
		_, err := tfjsonnx.Convert(c.model, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}
