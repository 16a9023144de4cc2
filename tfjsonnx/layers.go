package tfjsonnx

import (
	"encoding/json"
	"fmt"
	"strings"
)

// convertLayer emits the ONNX nodes of one Keras layer given its inputs.
func (c *converter) convertLayer(l *layerSpec, ins []value) (value, error) {
	want := 1
	switch l.ClassName {
	case "InputLayer":
		want = 0
	case "Concatenate", "Add":
		want = -1
	}
	if want >= 0 && len(ins) != want {
		return value{}, fmt.Errorf("takes %d inputs, got %d", want, len(ins))
	}
	if want < 0 && len(ins) < 2 {
		return value{}, fmt.Errorf("takes at least 2 inputs, got %d", len(ins))
	}
	switch l.ClassName {
	case "InputLayer":
		return c.inputLayer(l)
	case "Conv2D":
		return c.conv2D(l, ins[0], false)
	case "DepthwiseConv2D":
		return c.conv2D(l, ins[0], true)
	case "BatchNormalization":
		return c.batchNorm(l, ins[0])
	case "Activation":
		var cfg struct{ Activation string }
		if err := json.Unmarshal(l.Config, &cfg); err != nil {
			return value{}, fmt.Errorf("config: %w", err)
		}
		return c.activation(l.Name, cfg.Activation, ins[0], outName(l.Name, ins[0].shape))
	case "ReLU":
		return c.relu(l, ins[0])
	case "MaxPooling2D":
		return c.pool(l, ins[0], "MaxPool")
	case "AveragePooling2D":
		return c.pool(l, ins[0], "AveragePool")
	case "GlobalAveragePooling2D":
		return c.globalPool(l, ins[0], "GlobalAveragePool")
	case "GlobalMaxPooling2D":
		return c.globalPool(l, ins[0], "GlobalMaxPool")
	case "ZeroPadding2D":
		return c.zeroPad(l, ins[0])
	case "Concatenate":
		return c.concatenate(l, ins)
	case "Add":
		return c.add(l, ins)
	case "Flatten":
		return c.flatten(l, ins[0])
	case "Dense":
		return c.dense(l, ins[0])
	case "Dropout":
		return ins[0], nil // identity at inference
	default:
		return value{}, fmt.Errorf("layer class %q is not supported", l.ClassName)
	}
}

// pair is a Keras 2-tuple that configs may also give as a single int.
type pair [2]int

func (p *pair) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var n int
	if json.Unmarshal(b, &n) == nil {
		*p = pair{n, n}
		return nil
	}
	var list []int
	if err := json.Unmarshal(b, &list); err != nil || len(list) < 1 || len(list) > 2 {
		return fmt.Errorf("want an int or a list of 2 ints, got %s", b)
	}
	if len(list) == 1 {
		list = append(list, list[0])
	}
	*p = pair{list[0], list[1]}
	return nil
}

// spatialConfig is the part of conv and pool configs that shapes the window.
type spatialConfig struct {
	KernelSize   pair   `json:"kernel_size"`
	PoolSize     pair   `json:"pool_size"`
	Strides      pair   `json:"strides"`
	Padding      string `json:"padding"`
	DataFormat   string `json:"data_format"`
	DilationRate pair   `json:"dilation_rate"`
}

// window computes ONNX pads and the output height/width of a sliding window of
// size k over an image of size in, with TF's "valid"/"same" semantics ("same"
// puts the odd extra pixel at the end, like SAME_UPPER).
func (s spatialConfig) window(in [2]int, k pair) (pads []int64, out [2]int, err error) {
	if s.DataFormat != "" && s.DataFormat != "channels_last" {
		return nil, out, fmt.Errorf("data_format %q not supported", s.DataFormat)
	}
	stride, dil := s.Strides, s.DilationRate
	if stride == (pair{}) {
		stride = k
	}
	if dil == (pair{}) {
		dil = pair{1, 1}
	}
	pads = make([]int64, 4)
	for i := 0; i < 2; i++ {
		if k[i] < 1 || stride[i] < 1 || dil[i] < 1 {
			return nil, out, fmt.Errorf("window %v stride %v dilation %v not valid", k, stride, dil)
		}
		span := (k[i]-1)*dil[i] + 1
		switch strings.ToLower(s.Padding) {
		case "valid":
			out[i] = (in[i]-span)/stride[i] + 1
		case "same":
			out[i] = (in[i] + stride[i] - 1) / stride[i]
			total := max((out[i]-1)*stride[i]+span-in[i], 0)
			pads[i], pads[i+2] = int64(total/2), int64(total-total/2)
		default:
			return nil, out, fmt.Errorf("padding %q not supported", s.Padding)
		}
		if out[i] < 1 {
			return nil, out, fmt.Errorf("window %v does not fit an input of %v", k, in)
		}
	}
	return pads, out, nil
}

func (c *converter) inputLayer(l *layerSpec) (value, error) {
	var cfg struct {
		BatchInputShape []*int `json:"batch_input_shape"`
		DType           string `json:"dtype"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	if len(c.inputs) > 0 {
		return value{}, fmt.Errorf("a second input layer: only single-input models are supported")
	}
	if cfg.DType != "" && cfg.DType != "float32" {
		return value{}, fmt.Errorf("input dtype %q not supported", cfg.DType)
	}
	if n := len(cfg.BatchInputShape); n != 2 && n != 4 {
		return value{}, fmt.Errorf("batch_input_shape rank %d not supported (want 2 or 4)", n)
	}
	var shape []int
	for _, d := range cfg.BatchInputShape[1:] {
		if d == nil || *d < 1 {
			return value{}, fmt.Errorf("batch_input_shape must fix every dimension but the batch")
		}
		shape = append(shape, *d)
	}
	c.inputs = append(c.inputs, encodeValueInfo(InputName, shape))
	if len(shape) == 1 {
		return value{name: InputName, shape: shape}, nil
	}
	name := outName(l.Name, shape)
	c.node("Transpose", []string{InputName}, name, intsAttr("perm", 0, 3, 1, 2))
	return value{name: name, shape: shape}, nil
}

func requireImage(v value) error {
	if !v.isImage() {
		return fmt.Errorf("input shape %v is not an image [H, W, C]", v.shape)
	}
	return nil
}

func (c *converter) conv2D(l *layerSpec, x value, depthwise bool) (value, error) {
	if err := requireImage(x); err != nil {
		return value{}, err
	}
	var cfg struct {
		spatialConfig
		Filters         int    `json:"filters"`
		Activation      string `json:"activation"`
		UseBias         bool   `json:"use_bias"`
		DepthMultiplier int    `json:"depth_multiplier"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	pads, hw, err := cfg.window([2]int{x.shape[0], x.shape[1]}, cfg.KernelSize)
	if err != nil {
		return value{}, err
	}
	cin := x.shape[2]
	kh, kw := cfg.KernelSize[0], cfg.KernelSize[1]
	var kernel string
	var cout, group int
	if depthwise {
		mult := max(cfg.DepthMultiplier, 1)
		cout, group = cin*mult, cin
		// [kh, kw, cin, mult] -> [cin, mult, kh, kw] = [cin*mult, 1, kh, kw]:
		// output channel c*mult+m, as TF orders depthwise outputs.
		kernel, err = c.weight(l.Name, "depthwise_kernel", []int{kh, kw, cin, mult}, []int{2, 3, 0, 1}, []int64{int64(cout), 1, int64(kh), int64(kw)})
	} else {
		cout, group = cfg.Filters, 1
		kernel, err = c.weight(l.Name, "kernel", []int{kh, kw, cin, cout}, []int{3, 2, 0, 1}, nil)
	}
	if err != nil {
		return value{}, err
	}
	ins := []string{x.name, kernel}
	if cfg.UseBias {
		bias, err := c.weight(l.Name, "bias", []int{cout}, nil, nil)
		if err != nil {
			return value{}, err
		}
		ins = append(ins, bias)
	}
	dil := cfg.DilationRate
	if dil == (pair{}) {
		dil = pair{1, 1}
	}
	strides := cfg.Strides
	if strides == (pair{}) {
		strides = pair{1, 1}
	}
	shape := []int{hw[0], hw[1], cout}
	final := outName(l.Name, shape)
	conv := final
	if !isLinear(cfg.Activation) {
		conv = l.Name + "/conv"
	}
	c.node("Conv", ins, conv,
		intsAttr("dilations", int64(dil[0]), int64(dil[1])),
		intAttr("group", int64(group)),
		intsAttr("kernel_shape", int64(kh), int64(kw)),
		intsAttr("pads", pads...),
		intsAttr("strides", int64(strides[0]), int64(strides[1])))
	return c.activation(l.Name, cfg.Activation, value{name: conv, shape: shape}, final)
}

func (c *converter) batchNorm(l *layerSpec, x value) (value, error) {
	var cfg struct {
		Axis    any     `json:"axis"`
		Epsilon float32 `json:"epsilon"`
		Center  bool    `json:"center"`
		Scale   bool    `json:"scale"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	axis, ok := cfg.Axis.(float64)
	if !ok || (int(axis) != -1 && int(axis) != len(x.shape)) {
		return value{}, fmt.Errorf("axis %v not supported (only the channel axis)", cfg.Axis)
	}
	ch := x.shape[len(x.shape)-1]
	dims := []int64{int64(ch)}
	constant := func(name string, v float32) string {
		vals := make([]float32, ch)
		for i := range vals {
			vals[i] = v
		}
		return c.floatInit(l.Name+"/"+name, dims, vals)
	}
	var gamma, beta string
	var err error
	if cfg.Scale {
		gamma, err = c.weight(l.Name, "gamma", []int{ch}, nil, nil)
	} else {
		gamma = constant("gamma", 1)
	}
	if err != nil {
		return value{}, err
	}
	if cfg.Center {
		beta, err = c.weight(l.Name, "beta", []int{ch}, nil, nil)
	} else {
		beta = constant("beta", 0)
	}
	if err != nil {
		return value{}, err
	}
	mean, err := c.weight(l.Name, "moving_mean", []int{ch}, nil, nil)
	if err != nil {
		return value{}, err
	}
	variance, err := c.weight(l.Name, "moving_variance", []int{ch}, nil, nil)
	if err != nil {
		return value{}, err
	}
	out := outName(l.Name, x.shape)
	c.node("BatchNormalization", []string{x.name, gamma, beta, mean, variance}, out,
		floatAttr("epsilon", cfg.Epsilon))
	return value{name: out, shape: x.shape}, nil
}

func isLinear(activation string) bool { return activation == "" || activation == "linear" }

// activation applies a Keras activation function to x, naming the result out.
func (c *converter) activation(layer, fn string, x value, out string) (value, error) {
	y := value{name: out, shape: x.shape}
	switch fn {
	case "", "linear":
		if x.name != out {
			c.node("Identity", []string{x.name}, out)
		}
	case "relu":
		c.node("Relu", []string{x.name}, out)
	case "relu6":
		c.clip(layer, x.name, 6, out)
	case "sigmoid":
		c.node("Sigmoid", []string{x.name}, out)
	case "tanh":
		c.node("Tanh", []string{x.name}, out)
	case "softmax":
		c.node("Softmax", []string{x.name}, out, intAttr("axis", 1)) // the channel axis in NCHW and [N, D]
	case "elu":
		c.node("Elu", []string{x.name}, out)
	case "selu":
		c.node("Selu", []string{x.name}, out)
	case "softplus":
		c.node("Softplus", []string{x.name}, out)
	case "softsign":
		c.node("Softsign", []string{x.name}, out)
	case "hard_sigmoid":
		c.node("HardSigmoid", []string{x.name}, out, floatAttr("alpha", 0.2), floatAttr("beta", 0.5))
	case "swish":
		c.node("Sigmoid", []string{x.name}, layer+"/sigmoid")
		c.node("Mul", []string{x.name, layer + "/sigmoid"}, out)
	default:
		return value{}, fmt.Errorf("activation %q not supported", fn)
	}
	return y, nil
}

// clip emits Clip(x, 0, max) with its bounds as scalar initializers (opset 13).
func (c *converter) clip(layer, x string, maxValue float32, out string) {
	lo := c.floatInit(layer+"/clip_min", nil, []float32{0})
	hi := c.floatInit(layer+"/clip_max", nil, []float32{maxValue})
	c.node("Clip", []string{x, lo, hi}, out)
}

func (c *converter) relu(l *layerSpec, x value) (value, error) {
	var cfg struct {
		MaxValue      *float32 `json:"max_value"`
		NegativeSlope float32  `json:"negative_slope"`
		Threshold     float32  `json:"threshold"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	if cfg.NegativeSlope != 0 || cfg.Threshold != 0 {
		return value{}, fmt.Errorf("negative_slope %v / threshold %v not supported (only 0)", cfg.NegativeSlope, cfg.Threshold)
	}
	out := outName(l.Name, x.shape)
	if cfg.MaxValue == nil {
		c.node("Relu", []string{x.name}, out)
	} else {
		c.clip(l.Name, x.name, *cfg.MaxValue, out)
	}
	return value{name: out, shape: x.shape}, nil
}

func (c *converter) pool(l *layerSpec, x value, op string) (value, error) {
	if err := requireImage(x); err != nil {
		return value{}, err
	}
	var cfg spatialConfig
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	cfg.DilationRate = pair{1, 1}
	if cfg.PoolSize == (pair{}) {
		cfg.PoolSize = pair{2, 2}
	}
	pads, hw, err := cfg.window([2]int{x.shape[0], x.shape[1]}, cfg.PoolSize)
	if err != nil {
		return value{}, err
	}
	strides := cfg.Strides
	if strides == (pair{}) {
		strides = cfg.PoolSize
	}
	shape := []int{hw[0], hw[1], x.shape[2]}
	out := outName(l.Name, shape)
	// AveragePool's default count_include_pad=0 averages over real pixels
	// only, as TF does for "same" padding.
	c.node(op, []string{x.name}, out,
		intsAttr("kernel_shape", int64(cfg.PoolSize[0]), int64(cfg.PoolSize[1])),
		intsAttr("pads", pads...),
		intsAttr("strides", int64(strides[0]), int64(strides[1])))
	return value{name: out, shape: shape}, nil
}

func (c *converter) globalPool(l *layerSpec, x value, op string) (value, error) {
	if err := requireImage(x); err != nil {
		return value{}, err
	}
	var cfg struct {
		DataFormat string `json:"data_format"`
		KeepDims   bool   `json:"keepdims"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	if cfg.KeepDims || (cfg.DataFormat != "" && cfg.DataFormat != "channels_last") {
		return value{}, fmt.Errorf("keepdims or data_format %q not supported", cfg.DataFormat)
	}
	c.node(op, []string{x.name}, l.Name+"/pool")
	c.node("Flatten", []string{l.Name + "/pool"}, l.Name, intAttr("axis", 1))
	return value{name: l.Name, shape: x.shape[2:]}, nil
}

func (c *converter) zeroPad(l *layerSpec, x value) (value, error) {
	if err := requireImage(x); err != nil {
		return value{}, err
	}
	var cfg struct {
		Padding    json.RawMessage `json:"padding"`
		DataFormat string          `json:"data_format"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	if cfg.DataFormat != "" && cfg.DataFormat != "channels_last" {
		return value{}, fmt.Errorf("data_format %q not supported", cfg.DataFormat)
	}
	// padding: n, [h, w] or [[top, bottom], [left, right]].
	var top, bottom, left, right int
	var nested [2]pair
	var flat pair
	if err := json.Unmarshal(cfg.Padding, &nested); err == nil {
		top, bottom, left, right = nested[0][0], nested[0][1], nested[1][0], nested[1][1]
	} else if err := json.Unmarshal(cfg.Padding, &flat); err == nil {
		top, bottom, left, right = flat[0], flat[0], flat[1], flat[1]
	} else {
		return value{}, fmt.Errorf("padding %s not understood", cfg.Padding)
	}
	shape := []int{x.shape[0] + top + bottom, x.shape[1] + left + right, x.shape[2]}
	pads := c.int64Init(l.Name+"/pads", []int64{0, 0, int64(top), int64(left), 0, 0, int64(bottom), int64(right)})
	out := outName(l.Name, shape)
	c.node("Pad", []string{x.name, pads}, out)
	return value{name: out, shape: shape}, nil
}

func (c *converter) concatenate(l *layerSpec, ins []value) (value, error) {
	var cfg struct {
		Axis *int `json:"axis"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	rank := len(ins[0].shape)
	axis := rank // Keras axis counting the batch axis; -1 = last
	if cfg.Axis != nil && *cfg.Axis != -1 {
		axis = *cfg.Axis
	}
	if axis < 1 || axis > rank {
		return value{}, fmt.Errorf("axis %d not supported", axis)
	}
	shape := append([]int(nil), ins[0].shape...)
	shape[axis-1] = 0
	var names []string
	for _, in := range ins {
		if len(in.shape) != rank {
			return value{}, fmt.Errorf("inputs of different ranks: %v and %v", ins[0].shape, in.shape)
		}
		for i := range in.shape {
			if i != axis-1 && in.shape[i] != ins[0].shape[i] {
				return value{}, fmt.Errorf("input shapes %v and %v differ off axis %d", ins[0].shape, in.shape, axis)
			}
		}
		shape[axis-1] += in.shape[axis-1]
		names = append(names, in.name)
	}
	onnxAxis := axis
	if rank == 3 { // NHWC axis -> NCHW axis: H 1->2, W 2->3, C 3->1
		onnxAxis = []int{0, 2, 3, 1}[axis]
	}
	out := outName(l.Name, shape)
	c.node("Concat", names, out, intAttr("axis", int64(onnxAxis)))
	return value{name: out, shape: shape}, nil
}

func (c *converter) add(l *layerSpec, ins []value) (value, error) {
	for _, in := range ins[1:] {
		if fmt.Sprint(in.shape) != fmt.Sprint(ins[0].shape) {
			return value{}, fmt.Errorf("input shapes %v and %v differ", ins[0].shape, in.shape)
		}
	}
	out := outName(l.Name, ins[0].shape)
	sum := ins[0].name
	for i, in := range ins[1:] {
		name := out
		if i < len(ins)-2 {
			name = fmt.Sprintf("%s/sum%d", l.Name, i+1)
		}
		c.node("Add", []string{sum, in.name}, name)
		sum = name
	}
	return value{name: out, shape: ins[0].shape}, nil
}

func (c *converter) flatten(l *layerSpec, x value) (value, error) {
	size := 1
	for _, d := range x.shape {
		size *= d
	}
	src := x.name
	if x.isImage() && x.shape[0]*x.shape[1] > 1 {
		// Keras flattens in NHWC order.
		src = l.Name + "/nhwc"
		c.node("Transpose", []string{x.name}, src, intsAttr("perm", 0, 2, 3, 1))
	}
	c.node("Flatten", []string{src}, l.Name, intAttr("axis", 1))
	return value{name: l.Name, shape: []int{size}}, nil
}

func (c *converter) dense(l *layerSpec, x value) (value, error) {
	if len(x.shape) != 1 {
		return value{}, fmt.Errorf("input shape %v: only [N, D] inputs are supported", x.shape)
	}
	var cfg struct {
		Units      int    `json:"units"`
		Activation string `json:"activation"`
		UseBias    bool   `json:"use_bias"`
	}
	if err := json.Unmarshal(l.Config, &cfg); err != nil {
		return value{}, fmt.Errorf("config: %w", err)
	}
	kernel, err := c.weight(l.Name, "kernel", []int{x.shape[0], cfg.Units}, nil, nil)
	if err != nil {
		return value{}, err
	}
	ins := []string{x.name, kernel}
	if cfg.UseBias {
		bias, err := c.weight(l.Name, "bias", []int{cfg.Units}, nil, nil)
		if err != nil {
			return value{}, err
		}
		ins = append(ins, bias)
	}
	shape := []int{cfg.Units}
	pre := l.Name
	if !isLinear(cfg.Activation) {
		pre = l.Name + "/linear"
	}
	c.node("Gemm", ins, pre)
	return c.activation(l.Name, cfg.Activation, value{name: pre, shape: shape}, l.Name)
}
