package tfjsonnx

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Model is a TF.js layers model: the parts of its model.json and the bytes of
// its weight shards.
type Model struct {
	// Topology is model.json's "modelTopology": either a Keras model config
	// ({"class_name": "Model", "config": ...}) or a wrapper holding one under
	// "model_config", as the Keras-to-TF.js converter writes it.
	Topology json.RawMessage
	// Manifest is model.json's "weightsManifest".
	Manifest []WeightGroup
	// Weights is the concatenation of every group's shard files, in manifest order.
	Weights []byte
}

// WeightGroup is one entry of a weights manifest: shard file names and the
// weights stored in them, in order.
type WeightGroup struct {
	Paths   []string     `json:"paths"`
	Weights []WeightSpec `json:"weights"`
}

// WeightSpec describes one stored weight tensor.
type WeightSpec struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	Dtype        string        `json:"dtype"`
	Quantization *Quantization `json:"quantization,omitempty"`
}

// Quantization says how a weight is stored when it is not plain float32:
// uint8/uint16 values v stand for v*Scale+Min; float16 values are IEEE halves.
type Quantization struct {
	Dtype string  `json:"dtype"`
	Min   float64 `json:"min"`
	Scale float64 `json:"scale"`
}

// ReadDir reads a TF.js layers model saved as dir/model.json plus the shard
// files its manifest names.
func ReadDir(dir string) (Model, error) {
	path := filepath.Join(dir, "model.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return Model{}, err
	}
	var file struct {
		ModelTopology   json.RawMessage `json:"modelTopology"`
		WeightsManifest []WeightGroup   `json:"weightsManifest"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return Model{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(file.ModelTopology) == 0 {
		return Model{}, fmt.Errorf("%s: no modelTopology", path)
	}
	m := Model{Topology: file.ModelTopology, Manifest: file.WeightsManifest}
	for _, g := range file.WeightsManifest {
		for _, p := range g.Paths {
			shard, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				return Model{}, fmt.Errorf("%s: weight shard: %w", path, err)
			}
			m.Weights = append(m.Weights, shard...)
		}
	}
	return m, nil
}

// storedWeight is one weight tensor as it lies in the shards: raw bytes of
// elemSize bytes each, still quantised when the manifest says so.
type storedWeight struct {
	spec     WeightSpec
	raw      []byte
	elemSize int
}

// quantised reports whether the weight is stored as uint8/uint16 codes.
func (w storedWeight) quantised() bool {
	q := w.spec.Quantization
	return q != nil && (q.Dtype == "uint8" || q.Dtype == "uint16")
}

// dequantise maps a quantisation code to its float32 value exactly as TF.js
// does (in float64, rounded once), so ONNX Runtime computes with bit-identical
// weights.
func (q Quantization) dequantise(code int) float32 {
	return float32(float64(code)*q.Scale + q.Min)
}

// table maps every code of a uint8 weight to its value.
func (w storedWeight) table() []float32 {
	t := make([]float32, 256)
	for v := range t {
		t[v] = w.spec.Quantization.dequantise(v)
	}
	return t
}

// floats returns the weight's values as float32 (dequantised if needed).
func (w storedWeight) floats() []float32 {
	n := len(w.raw) / w.elemSize
	out := make([]float32, n)
	switch {
	case w.quantised():
		for i := range out {
			out[i] = w.spec.Quantization.dequantise(w.code(i))
		}
	case w.elemSize == 2: // float16
		for i := range out {
			out[i] = halfToFloat(binary.LittleEndian.Uint16(w.raw[2*i:]))
		}
	default:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(w.raw[4*i:]))
		}
	}
	return out
}

func (w storedWeight) code(i int) int {
	if w.elemSize == 1 {
		return int(w.raw[i])
	}
	return int(binary.LittleEndian.Uint16(w.raw[2*i:]))
}

// halfToFloat converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	default: // subnormal half: normalise
		e := uint32(113)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
	}
}

// splitWeights cuts the shard bytes into the manifest's weight tensors.
func splitWeights(m Model) (map[string]storedWeight, error) {
	out := map[string]storedWeight{}
	offset := 0
	for _, g := range m.Manifest {
		for _, spec := range g.Weights {
			if spec.Dtype != "float32" {
				return nil, fmt.Errorf("weight %q: dtype %q not supported (want float32)", spec.Name, spec.Dtype)
			}
			size := 4
			if q := spec.Quantization; q != nil {
				switch q.Dtype {
				case "uint8":
					size = 1
				case "uint16", "float16":
					size = 2
				default:
					return nil, fmt.Errorf("weight %q: quantization dtype %q not supported", spec.Name, q.Dtype)
				}
			}
			n := 1
			for _, d := range spec.Shape {
				n *= d
			}
			end := offset + n*size
			if end > len(m.Weights) {
				return nil, fmt.Errorf("weight %q: needs bytes %d..%d but the shards hold %d", spec.Name, offset, end, len(m.Weights))
			}
			out[spec.Name] = storedWeight{spec: spec, raw: m.Weights[offset:end], elemSize: size}
			offset = end
		}
	}
	if offset != len(m.Weights) {
		return nil, fmt.Errorf("weights manifest covers %d bytes but the shards hold %d", offset, len(m.Weights))
	}
	return out, nil
}

// permute reorders a row-major tensor of elemSize-byte elements with shape dims
// so that output axis i is input axis perm[i] (as numpy.transpose).
func permute(raw []byte, elemSize int, dims []int, perm []int) []byte {
	rank := len(dims)
	inStrides := make([]int, rank)
	s := 1
	for i := rank - 1; i >= 0; i-- {
		inStrides[i] = s
		s *= dims[i]
	}
	outDims := make([]int, rank)
	strides := make([]int, rank) // input stride of each output axis
	for i, p := range perm {
		outDims[i] = dims[p]
		strides[i] = inStrides[p]
	}
	out := make([]byte, len(raw))
	idx := make([]int, rank)
	for o := 0; o < s; o++ {
		in := 0
		for i := range idx {
			in += idx[i] * strides[i]
		}
		copy(out[o*elemSize:(o+1)*elemSize], raw[in*elemSize:(in+1)*elemSize])
		for i := rank - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < outDims[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out
}
