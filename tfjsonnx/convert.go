// Package tfjsonnx converts a TF.js layers model (a Keras model config plus
// weight shards, as nsfwjs ships them) into an ONNX model that ONNX Runtime
// runs, in pure Go.
//
// The ONNX graph takes one float32 input named "input" in the Keras layout
// (NHWC for images, batch size symbolic), transposes it once to NCHW, and maps
// each Keras layer onto ONNX operators (IR 8, opset 13). Quantised weights stay
// quantised in the file: each uint8/uint16 tensor is stored as its codes plus a
// lookup table of the float32 values TF.js would compute, joined by a
// Cast+Gather that ONNX Runtime folds into a constant when it opens the model.
// The file is therefore as small as the TF.js shards, and the weights ONNX
// Runtime computes with are bit-identical to TF.js's. The output bytes depend
// only on the model and the options: converting twice gives the same file.
package tfjsonnx

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Options choose what the converted graph computes.
type Options struct {
	// Outputs names the graph outputs. A layer name exposes that layer's output
	// in Keras layout (NHWC for images); "<layer>_gap" exposes the global
	// average over height and width of a 4-D layer output, shape [N, C]. Only
	// layers needed for these outputs are converted. Empty means the model's
	// own output layers.
	Outputs []string
}

// InputName is the name of the converted graph's input.
const InputName = "input"

// GAPSuffix marks an output as the global average pool of a layer.
const GAPSuffix = "_gap"

// layerSpec is one entry of a Keras functional model config.
type layerSpec struct {
	Name         string          `json:"name"`
	ClassName    string          `json:"class_name"`
	Config       json.RawMessage `json:"config"`
	InboundNodes json.RawMessage `json:"inbound_nodes"`
	inputs       []string
}

// value is a tensor of the graph being built: its ONNX name and its shape in
// Keras order without the batch axis ([H, W, C] or [D]). Images are kept as
// NCHW in the graph; shape still lists them as H, W, C.
type value struct {
	name  string
	shape []int
}

func (v value) isImage() bool { return len(v.shape) == 3 }

// converter accumulates the ONNX graph for one conversion.
type converter struct {
	layers  map[string]*layerSpec
	weights map[string]storedWeight
	tensor  map[string]value // layer name -> its output
	added   map[string]bool  // weights already in the graph
	nodes   [][]byte
	inits   [][]byte
	inputs  [][]byte
	outputs [][]byte
}

// Convert turns a TF.js layers model into ONNX ModelProto bytes.
func Convert(m Model, opt Options) ([]byte, error) {
	name, layers, modelOutputs, err := parseTopology(m.Topology)
	if err != nil {
		return nil, err
	}
	weights, err := splitWeights(m)
	if err != nil {
		return nil, err
	}
	c := &converter{
		layers:  map[string]*layerSpec{},
		weights: weights,
		tensor:  map[string]value{},
		added:   map[string]bool{},
	}
	for _, l := range layers {
		if _, dup := c.layers[l.Name]; dup {
			return nil, fmt.Errorf("topology: layer name %q used twice", l.Name)
		}
		c.layers[l.Name] = l
	}
	outputs := opt.Outputs
	if len(outputs) == 0 {
		outputs = modelOutputs
	}
	if len(outputs) == 0 {
		return nil, fmt.Errorf("topology: model declares no outputs and none were asked for")
	}
	seen := map[string]bool{}
	for _, out := range outputs {
		if seen[out] {
			return nil, fmt.Errorf("output %q asked for twice", out)
		}
		seen[out] = true
		if err := c.addOutput(out); err != nil {
			return nil, err
		}
	}
	if len(c.inputs) == 0 {
		return nil, fmt.Errorf("topology: the outputs %v depend on no input layer", outputs)
	}
	var graph []byte
	for _, n := range c.nodes {
		graph = appendMessage(graph, 1, n)
	}
	graph = appendString(graph, 2, name)
	for _, t := range c.inits {
		graph = appendMessage(graph, 5, t)
	}
	for _, in := range c.inputs {
		graph = appendMessage(graph, 11, in)
	}
	for _, out := range c.outputs {
		graph = appendMessage(graph, 12, out)
	}
	return encodeModel(graph), nil
}

// parseTopology reads the model name, layers (with their input layer names)
// and output layer names from a modelTopology.
func parseTopology(raw json.RawMessage) (string, []*layerSpec, []string, error) {
	var wrapper struct {
		ModelConfig json.RawMessage `json:"model_config"`
	}
	if err := json.Unmarshal(raw, &wrapper); err != nil {
		return "", nil, nil, fmt.Errorf("topology: %w", err)
	}
	if len(wrapper.ModelConfig) > 0 {
		raw = wrapper.ModelConfig
	}
	var model struct {
		ClassName string `json:"class_name"`
		Config    struct {
			Name         string          `json:"name"`
			Layers       []*layerSpec    `json:"layers"`
			OutputLayers json.RawMessage `json:"output_layers"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		return "", nil, nil, fmt.Errorf("topology: %w", err)
	}
	if model.ClassName != "Model" && model.ClassName != "Functional" {
		return "", nil, nil, fmt.Errorf("topology: model class %q not supported (want a functional \"Model\")", model.ClassName)
	}
	for _, l := range model.Config.Layers {
		ins, err := inboundLayers(l.InboundNodes)
		if err != nil {
			return "", nil, nil, fmt.Errorf("topology: layer %q (%s): %w", l.Name, l.ClassName, err)
		}
		l.inputs = ins
	}
	outs, err := layerRefs(model.Config.OutputLayers)
	if err != nil {
		return "", nil, nil, fmt.Errorf("topology: output_layers: %w", err)
	}
	name := model.Config.Name
	if name == "" {
		name = "model"
	}
	return name, model.Config.Layers, outs, nil
}

// inboundLayers reads a Keras 2 inbound_nodes list: one node (layers are not
// shared) whose entries are [layer name, node index, tensor index, kwargs].
func inboundLayers(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var nodes []json.RawMessage
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return nil, fmt.Errorf("inbound_nodes: %w", err)
	}
	switch len(nodes) {
	case 0:
		return nil, nil
	case 1:
		return layerRefs(nodes[0])
	default:
		return nil, fmt.Errorf("called %d times: shared layers are not supported", len(nodes))
	}
}

// layerRefs reads a list of [layer name, node index, tensor index, ...].
func layerRefs(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var refs [][]json.RawMessage
	if err := json.Unmarshal(raw, &refs); err != nil {
		return nil, err
	}
	var names []string
	for _, ref := range refs {
		var name string
		var node, tensor int
		if len(ref) < 3 || json.Unmarshal(ref[0], &name) != nil ||
			json.Unmarshal(ref[1], &node) != nil || json.Unmarshal(ref[2], &tensor) != nil {
			text, _ := json.Marshal(ref)
			return nil, fmt.Errorf("layer reference %s: want [name, node, tensor, ...]", text)
		}
		if node != 0 || tensor != 0 {
			return nil, fmt.Errorf("layer reference to %q node %d tensor %d: only single-use, single-output layers are supported", name, node, tensor)
		}
		names = append(names, name)
	}
	return names, nil
}

// addOutput exposes one requested output, converting the layers it needs.
func (c *converter) addOutput(out string) error {
	layer, gap := out, false
	if _, ok := c.layers[out]; !ok && strings.HasSuffix(out, GAPSuffix) {
		layer, gap = strings.TrimSuffix(out, GAPSuffix), true
	}
	if _, ok := c.layers[layer]; !ok {
		return fmt.Errorf("output %q: no layer %q in the model", out, layer)
	}
	v, err := c.convert(layer, nil)
	if err != nil {
		return err
	}
	switch {
	case gap:
		if !v.isImage() {
			return fmt.Errorf("output %q: layer %q is not a 4-D image tensor (shape %v)", out, layer, v.shape)
		}
		c.node("GlobalAveragePool", []string{v.name}, out+"/pool")
		c.node("Flatten", []string{out + "/pool"}, out, intAttr("axis", 1))
		v = value{name: out, shape: v.shape[2:]}
	case v.isImage():
		c.node("Transpose", []string{v.name}, out, intsAttr("perm", 0, 2, 3, 1))
		v = value{name: out, shape: v.shape}
	case v.name != out:
		c.node("Identity", []string{v.name}, out)
		v.name = out
	}
	c.outputs = append(c.outputs, encodeValueInfo(out, v.shape))
	return nil
}

// convert returns the output of a layer, converting it and the layers it
// depends on first (depth first, in inbound order, so the graph is
// topologically sorted and deterministic).
func (c *converter) convert(name string, path []string) (value, error) {
	if v, ok := c.tensor[name]; ok {
		return v, nil
	}
	for _, p := range path {
		if p == name {
			return value{}, fmt.Errorf("topology: cycle through layer %q", name)
		}
	}
	l, ok := c.layers[name]
	if !ok {
		return value{}, fmt.Errorf("topology: layer %q takes input from unknown layer %q", path[len(path)-1], name)
	}
	var ins []value
	for _, in := range l.inputs {
		v, err := c.convert(in, append(path, name))
		if err != nil {
			return value{}, err
		}
		ins = append(ins, v)
	}
	v, err := c.convertLayer(l, ins)
	if err != nil {
		return value{}, fmt.Errorf("layer %q (%s): %w", l.Name, l.ClassName, err)
	}
	c.tensor[name] = v
	return v, nil
}

// node appends an ONNX node named after its (first) output.
func (c *converter) node(op string, inputs []string, output string, attrs ...attribute) {
	c.nodes = append(c.nodes, encodeNode(output, op, inputs, []string{output}, attrs))
}

// floatInit adds a float32 initializer and returns its name.
func (c *converter) floatInit(name string, dims []int64, values []float32) string {
	c.inits = append(c.inits, encodeTensor(name, onnxFloat, dims, float32Bytes(values)))
	return name
}

// int64Init adds an int64 initializer and returns its name.
func (c *converter) int64Init(name string, values []int64) string {
	c.inits = append(c.inits, encodeTensor(name, onnxInt64, []int64{int64(len(values))}, int64Bytes(values)))
	return name
}

// outName names a layer's output tensor: images carry "/nchw" because the
// bare layer name is kept for an output in Keras (NHWC) layout.
func outName(layer string, shape []int) string {
	if len(shape) == 3 {
		return layer + "/nchw"
	}
	return layer
}

// weight adds the float32 ONNX tensor for a layer's weight wname, checking its
// stored shape, transposing it by perm (nil: as stored) and giving it dims
// (nil: the transposed shape). uint8 weights stay codes + lookup table where
// that is smaller; everything else is decoded to float32 here.
func (c *converter) weight(layer, wname string, shape, perm []int, dims []int64) (string, error) {
	w, err := c.lookup(layer, wname)
	if err != nil {
		return "", err
	}
	name := w.spec.Name
	if c.added[name] {
		return name, nil
	}
	if fmt.Sprint(w.spec.Shape) != fmt.Sprint(shape) {
		return "", fmt.Errorf("weight %q has shape %v, want %v", name, w.spec.Shape, shape)
	}
	if perm != nil {
		w.raw = permute(w.raw, w.elemSize, shape, perm)
	}
	if dims == nil {
		for i := range shape {
			axis := i
			if perm != nil {
				axis = perm[i]
			}
			dims = append(dims, int64(shape[axis]))
		}
	}
	// uint8 codes + a 256-entry table take n+1024 bytes against 4n for float32.
	if w.quantised() && w.elemSize == 1 && len(w.raw)+4*256 < 4*len(w.raw) {
		codes, index := name+"/codes", name+"/index"
		c.inits = append(c.inits, encodeTensor(codes, onnxUint8, dims, w.raw))
		table := c.floatInit(name+"/table", []int64{256}, w.table())
		c.node("Cast", []string{codes}, index, intAttr("to", onnxInt32))
		c.node("Gather", []string{table, index}, name)
	} else {
		c.floatInit(name, dims, w.floats())
	}
	c.added[name] = true
	return name, nil
}

// lookup finds weight "<layer>/<wname>", also under a name-scope prefix
// ("model/<layer>/<wname>") as some exporters write it.
func (c *converter) lookup(layer, wname string) (storedWeight, error) {
	full := layer + "/" + wname
	if w, ok := c.weights[full]; ok {
		return w, nil
	}
	var found []storedWeight
	for name, w := range c.weights {
		if strings.HasSuffix(name, "/"+full) {
			found = append(found, w)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return storedWeight{}, fmt.Errorf("weight %q not in the weights manifest", full)
	default:
		return storedWeight{}, fmt.Errorf("weight %q matches %d manifest entries", full, len(found))
	}
}
