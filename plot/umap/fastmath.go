package umap

import "math"

// powTable computes x^b for a fixed b and float32 x > 0 from two tables:
// with x = m·2^e (m in [1, 2)), x^b = 2^(e·b) · m^b, the first factor looked
// up by e and the second interpolated linearly between 1024 samples of
// [1, 2] (relative error below 1e-7). It is several times faster than
// math.Pow, which otherwise dominates the layout's inner loop.
type powTable struct {
	b        float64
	exponent [256]float64  // 2^((e−127)·b) for the biased float32 exponent e
	mantissa [1025]float64 // (1 + i/1024)^b
}

const mantissaBits = 10 // table resolution: 2^10 intervals

func newPowTable(b float64) *powTable {
	t := &powTable{b: b}
	for e := range t.exponent {
		t.exponent[e] = math.Exp2(float64(e-127) * b)
	}
	for i := range t.mantissa {
		t.mantissa[i] = math.Pow(1+float64(i)/(1<<mantissaBits), b)
	}
	return t
}

// pow returns x^b for x > 0.
func (t *powTable) pow(x float32) float64 {
	bits := math.Float32bits(x)
	e := bits >> 23 & 0xff
	if e == 0 || e == 0xff { // subnormal, infinite or NaN
		return math.Pow(float64(x), t.b)
	}
	frac := bits & (1<<23 - 1)
	i := frac >> (23 - mantissaBits)
	w := float64(frac&(1<<(23-mantissaBits)-1)) * (1.0 / (1 << (23 - mantissaBits)))
	lo := t.mantissa[i]
	return t.exponent[e] * (lo + w*(t.mantissa[i+1]-lo))
}
