package tfjsonnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX messages this package writes, encoded by hand with protowire. Field
// numbers are those of onnx.proto (ONNX 1.12); only the fields used here appear.

// ONNX TensorProto.DataType values.
const (
	onnxFloat  = 1
	onnxUint8  = 2
	onnxUint16 = 4
	onnxInt32  = 6
	onnxInt64  = 7
)

// ONNX AttributeProto.AttributeType values.
const (
	attrFloat = 1
	attrInt   = 2
	attrInts  = 7
)

const (
	irVersion   = 8
	opsetTarget = 13
	producer    = "pixplot-tfjsonnx"
	// producerVersion changes whenever the graph this package writes changes, so
	// a cached file can be told apart from one written by another version.
	producerVersion = "1"
)

// attribute is one NodeProto attribute: an int, a float or a list of ints.
type attribute struct {
	name string
	kind int
	i    int64
	f    float32
	ints []int64
}

func intAttr(name string, v int64) attribute { return attribute{name: name, kind: attrInt, i: v} }
func floatAttr(name string, v float32) attribute {
	return attribute{name: name, kind: attrFloat, f: v}
}
func intsAttr(name string, v ...int64) attribute {
	return attribute{name: name, kind: attrInts, ints: v}
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendInt(b []byte, field protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func encodeAttribute(a attribute) []byte {
	var b []byte
	b = appendString(b, 1, a.name)
	switch a.kind {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = appendInt(b, 3, a.i)
	case attrInts:
		var packed []byte
		for _, v := range a.ints {
			packed = protowire.AppendVarint(packed, uint64(v))
		}
		b = appendMessage(b, 8, packed)
	}
	return appendInt(b, 20, int64(a.kind))
}

func encodeNode(name, op string, inputs, outputs []string, attrs []attribute) []byte {
	var b []byte
	for _, in := range inputs {
		b = appendString(b, 1, in)
	}
	for _, out := range outputs {
		b = appendString(b, 2, out)
	}
	b = appendString(b, 3, name)
	b = appendString(b, 4, op)
	for _, a := range attrs {
		b = appendMessage(b, 5, encodeAttribute(a))
	}
	return b
}

// encodeTensor writes a TensorProto whose data is raw little-endian bytes.
func encodeTensor(name string, dataType int, dims []int64, raw []byte) []byte {
	var b []byte
	if len(dims) > 0 {
		var packed []byte
		for _, d := range dims {
			packed = protowire.AppendVarint(packed, uint64(d))
		}
		b = appendMessage(b, 1, packed)
	}
	b = appendInt(b, 2, int64(dataType))
	b = appendString(b, 8, name)
	b = appendMessage(b, 9, raw)
	return b
}

// encodeValueInfo describes a graph input or output: a float tensor whose first
// dimension is the symbolic batch size "N" and whose others are fixed.
func encodeValueInfo(name string, dims []int) []byte {
	var shape []byte
	shape = appendMessage(shape, 1, appendString(nil, 2, "N"))
	for _, d := range dims {
		shape = appendMessage(shape, 1, appendInt(nil, 1, int64(d)))
	}
	var tensorType []byte
	tensorType = appendInt(tensorType, 1, onnxFloat)
	tensorType = appendMessage(tensorType, 2, shape)
	var b []byte
	b = appendString(b, 1, name)
	return appendMessage(b, 2, appendMessage(nil, 1, tensorType))
}

// encodeModel wraps an encoded GraphProto into a ModelProto (IR 8, opset 13).
func encodeModel(graph []byte) []byte {
	var b []byte
	b = appendInt(b, 1, irVersion)
	b = appendString(b, 2, producer)
	b = appendString(b, 3, producerVersion)
	b = appendMessage(b, 7, graph)
	var opset []byte
	opset = appendString(opset, 1, "")
	opset = appendInt(opset, 2, opsetTarget)
	return appendMessage(b, 8, opset)
}

func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func int64Bytes(v []int64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}
