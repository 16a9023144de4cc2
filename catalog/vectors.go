package catalog

import (
	"encoding/binary"
	"fmt"
	"math"
)

// maxKNN is sqlite-vec v0.1.6's largest k for a KNN query.
const maxKNN = 4096

// maxDims is sqlite-vec v0.1.6's largest float vector.
const maxDims = 8192

// unitVector returns v scaled to length 1, checking it has dims entries and no
// NaN, infinity or all-zero values (which have no direction).
func unitVector(v []float32, dims int) ([]float32, error) {
	if len(v) != dims {
		return nil, fmt.Errorf("%w: %d values, the model has %d", ErrWrongDims, len(v), dims)
	}
	var sum float64
	for i, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: vector value %d is %v", ErrInvalid, i, x)
		}
		sum += f * f
	}
	if sum == 0 {
		return nil, fmt.Errorf("%w: vector is all zeros", ErrInvalid)
	}
	norm := math.Sqrt(sum)
	unit := make([]float32, len(v))
	for i, x := range v {
		unit[i] = float32(float64(x) / norm)
	}
	return unit, nil
}

// encodeVector is the BLOB form of a vector in both `embeddings` and vec0:
// little-endian float32.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte, dims int) ([]float32, error) {
	if len(b) != 4*dims {
		return nil, fmt.Errorf("%w: stored vector has %d bytes, expected %d (%d dims)", ErrWrongDims, len(b), 4*dims, dims)
	}
	v := make([]float32, dims)
	decodeInto(v, b)
	return v, nil
}

// decodeInto decodes len(dst) float32s from b.
func decodeInto(dst []float32, b []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}

// cosineDistance converts sqlite-vec's L2 distance between unit vectors to
// cosine distance: |a-b|² = 2 - 2cos, so 1 - cos = L2² / 2.
func cosineDistance(l2 float64) float64 { return l2 * l2 / 2 }
