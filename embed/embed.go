// Package embed turns images into embedding vectors with an ONNX model run by
// ONNX Runtime (onnxruntime_go): it resizes and scales images into the model's
// input tensor, runs batches, and L2-normalises the outputs.
//
// Embedding is the slow step of ingest. Callers that want to overlap image
// decoding with inference call Tensorize in their own goroutines and Run on
// batches of the results; Embed does both in one call.
package embed

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"runtime"
	"strings"

	"github.com/pixplot/pixplot"
	ort "github.com/yalue/onnxruntime_go"
)

// Options tune inference.
type Options struct {
	Threads   int // ONNX Runtime intra-op threads; 0 means runtime.NumCPU()
	BatchSize int // images per inference call; 0 means DefaultBatchSize
}

// DefaultBatchSize is the batch Run uses when Options.BatchSize is 0.
const DefaultBatchSize = 16

// Scale values of pixplot.Preprocess.
const (
	ScaleUnit     = "0,1"      // pixel/255
	ScaleSigned   = "-1,1"     // pixel/127.5 - 1
	ScaleImageNet = "imagenet" // (pixel/255 - mean) / std per channel
)

// Layout values of pixplot.Preprocess.
const (
	LayoutNHWC = "NHWC"
	LayoutNCHW = "NCHW"
)

// Embedder runs one model. Its methods may be called from several goroutines.
type Embedder struct {
	model   pixplot.Model
	batch   int
	shift   [3]float32 // input value = pixel*mul[c] + shift[c], pixel in 0..255
	mul     [3]float32
	session *ort.DynamicAdvancedSession
}

// Open loads a model for inference. Fields of m left empty are completed from
// the model file where it determines them: Input and Output when the model has
// exactly one, Layout and Size from a fixed input shape, Dims always (by
// embedding a blank image, which also checks that the model runs). Scale must
// be given. runtimeLib is the path of libonnxruntime.so.1.
func Open(runtimeLib string, m pixplot.Model, opt Options) (*Embedder, error) {
	if _, err := os.Stat(m.File); err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	if err := Init(runtimeLib); err != nil {
		return nil, err
	}
	if err := complete(&m); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.File, err)
	}
	e := &Embedder{model: m, batch: opt.BatchSize}
	if e.batch <= 0 {
		e.batch = DefaultBatchSize
	}
	if err := e.setScale(m.Preprocess.Scale); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.File, err)
	}
	threads := opt.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return nil, err
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	// Idle ORT threads would otherwise spin between batches, taking the CPU
	// from the goroutines that decode and tensorize the next batch.
	if err := so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
		return nil, err
	}
	e.session, err = ort.NewDynamicAdvancedSession(m.File, []string{m.Preprocess.Input}, []string{m.Output}, so)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", m.File, err)
	}
	blank := make([]float32, 3*m.Preprocess.Size*m.Preprocess.Size)
	out, err := e.run([][]float32{blank})
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("model %s: running a blank image: %w", m.File, err)
	}
	if dims := len(out[0]); m.Dims != 0 && m.Dims != dims {
		e.Close()
		return nil, fmt.Errorf("model %s: output %q has %d values per image, expected %d", m.File, m.Output, dims, m.Dims)
	}
	e.model.Dims = len(out[0])
	return e, nil
}

// complete fills in and checks m's input/output names, layout and size from
// the model file's declared inputs and outputs.
func complete(m *pixplot.Model) error {
	inputs, outputs, err := ort.GetInputOutputInfo(m.File)
	if err != nil {
		return err
	}
	in, err := pick("input", m.Preprocess.Input, inputs)
	if err != nil {
		return err
	}
	out, err := pick("output", m.Output, outputs)
	if err != nil {
		return err
	}
	m.Preprocess.Input, m.Output = in.Name, out.Name
	if in.DataType != ort.TensorElementDataTypeFloat || out.DataType != ort.TensorElementDataTypeFloat {
		return fmt.Errorf("input %q and output %q must be float32 tensors (are %v, %v)", in.Name, out.Name, in.DataType, out.DataType)
	}
	d := in.Dimensions
	if len(d) != 4 {
		return fmt.Errorf("input %q has shape %v, want 4 dimensions (NHWC or NCHW)", in.Name, d)
	}
	switch m.Preprocess.Layout {
	case "":
		switch {
		case d[3] == 3 && d[1] != 3:
			m.Preprocess.Layout = LayoutNHWC
		case d[1] == 3 && d[3] != 3:
			m.Preprocess.Layout = LayoutNCHW
		default:
			return fmt.Errorf("input %q shape %v: cannot tell NHWC from NCHW; give the layout", in.Name, d)
		}
	case LayoutNHWC, LayoutNCHW:
	default:
		return fmt.Errorf("layout %q: want %s or %s", m.Preprocess.Layout, LayoutNHWC, LayoutNCHW)
	}
	h, w, c := d[1], d[2], d[3]
	if m.Preprocess.Layout == LayoutNCHW {
		c, h, w = d[1], d[2], d[3]
	}
	if c != 3 && c != -1 {
		return fmt.Errorf("input %q shape %v in %s has %d channels, want 3", in.Name, d, m.Preprocess.Layout, c)
	}
	for _, side := range []int64{h, w} {
		switch {
		case side > 0 && m.Preprocess.Size == 0:
			m.Preprocess.Size = int(side)
		case side > 0 && int64(m.Preprocess.Size) != side:
			return fmt.Errorf("input %q shape %v is fixed at %dx%d, not the square size %d", in.Name, d, h, w, m.Preprocess.Size)
		}
	}
	if m.Preprocess.Size <= 0 {
		return fmt.Errorf("input %q shape %v does not fix the image size; give the size", in.Name, d)
	}
	return nil
}

// pick finds the tensor named want among infos, or the only one when want is empty.
func pick(kind, want string, infos []ort.InputOutputInfo) (ort.InputOutputInfo, error) {
	var names []string
	for _, info := range infos {
		if info.Name == want || (want == "" && len(infos) == 1) {
			return info, nil
		}
		names = append(names, info.Name)
	}
	if want == "" {
		return ort.InputOutputInfo{}, fmt.Errorf("the model has %d %ss (%s): say which one", len(infos), kind, strings.Join(names, ", "))
	}
	return ort.InputOutputInfo{}, fmt.Errorf("no %s %q in the model (it has: %s)", kind, want, strings.Join(names, ", "))
}

func (e *Embedder) setScale(scale string) error {
	switch scale {
	case ScaleUnit:
		e.mul, e.shift = [3]float32{1.0 / 255, 1.0 / 255, 1.0 / 255}, [3]float32{}
	case ScaleSigned:
		e.mul, e.shift = [3]float32{1 / 127.5, 1 / 127.5, 1 / 127.5}, [3]float32{-1, -1, -1}
	case ScaleImageNet:
		mean, std := [3]float32{0.485, 0.456, 0.406}, [3]float32{0.229, 0.224, 0.225}
		for c := range 3 {
			e.mul[c] = 1 / (255 * std[c])
			e.shift[c] = -mean[c] / std[c]
		}
	case "":
		return errors.New("scale not given: want \"0,1\", \"-1,1\" or \"imagenet\"")
	default:
		return fmt.Errorf("scale %q: want \"0,1\", \"-1,1\" or \"imagenet\"", scale)
	}
	return nil
}

// Model returns the model as Open completed it (Dims, Input, Output, Size, Layout set).
func (e *Embedder) Model() pixplot.Model { return e.model }

// Tensorize turns one image into the model's input for it: squashed to
// Size×Size (no crop), transparency on white, scaled and laid out as the model
// wants. It is safe to call from many goroutines.
func (e *Embedder) Tensorize(img image.Image) []float32 {
	side := e.model.Preprocess.Size
	rgb := resizeRGB(img, side)
	out := make([]float32, len(rgb))
	if e.model.Preprocess.Layout == LayoutNCHW {
		plane := side * side
		for i := 0; i < plane; i++ {
			for c := range 3 {
				out[c*plane+i] = rgb[3*i+c]*e.mul[c] + e.shift[c]
			}
		}
		return out
	}
	for i := 0; i < len(rgb); i += 3 {
		for c := range 3 {
			out[i+c] = rgb[i+c]*e.mul[c] + e.shift[c]
		}
	}
	return out
}

// Run embeds Tensorize outputs, BatchSize at a time, and returns one
// L2-normalised vector per input.
func (e *Embedder) Run(tensors [][]float32) ([][]float32, error) {
	out := make([][]float32, 0, len(tensors))
	for len(tensors) > 0 {
		n := min(e.batch, len(tensors))
		vecs, err := e.run(tensors[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
		tensors = tensors[n:]
	}
	return out, nil
}

// Embed tensorizes and embeds images.
func (e *Embedder) Embed(imgs []image.Image) ([][]float32, error) {
	tensors := make([][]float32, len(imgs))
	for i, img := range imgs {
		tensors[i] = e.Tensorize(img)
	}
	return e.Run(tensors)
}

// run makes one inference call on a batch.
func (e *Embedder) run(batch [][]float32) ([][]float32, error) {
	if e.session == nil {
		return nil, errors.New("embedder is closed")
	}
	side := int64(e.model.Preprocess.Size)
	per := int(3 * side * side)
	data := make([]float32, 0, per*len(batch))
	for i, t := range batch {
		if len(t) != per {
			return nil, fmt.Errorf("input %d has %d values, want %d (%dx%dx3)", i, len(t), per, side, side)
		}
		data = append(data, t...)
	}
	shape := ort.NewShape(int64(len(batch)), side, side, 3)
	if e.model.Preprocess.Layout == LayoutNCHW {
		shape = ort.NewShape(int64(len(batch)), 3, side, side)
	}
	in, err := ort.NewTensor(shape, data)
	if err != nil {
		return nil, err
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := e.session.Run([]ort.Value{in}, outs); err != nil {
		return nil, err
	}
	defer outs[0].Destroy()
	t, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("output %q is not a float32 tensor", e.model.Output)
	}
	flat := t.GetData()
	if len(flat)%len(batch) != 0 || len(flat) == 0 {
		return nil, fmt.Errorf("output %q shape %v does not split into %d images", e.model.Output, t.GetShape(), len(batch))
	}
	dims := len(flat) / len(batch)
	vecs := make([][]float32, len(batch))
	for i := range vecs {
		vecs[i] = normalise(append([]float32(nil), flat[i*dims:(i+1)*dims]...))
	}
	return vecs, nil
}

// normalise scales v to unit L2 norm in place (a zero vector stays zero).
func normalise(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// Close releases the inference session; call it once no Run is in progress.
func (e *Embedder) Close() error {
	if e.session == nil {
		return nil
	}
	err := e.session.Destroy()
	e.session = nil
	return err
}
