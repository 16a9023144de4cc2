package umap

import (
	"fmt"
	"math"
)

// FindABParams fits a and b of the embedding kernel 1/(1 + a·x^(2b)) to the
// curve that is 1 up to minDist and exp(−(x − minDist)/spread) beyond, by
// least squares on 300 points in [0, 3·spread], as umap-learn's
// find_ab_params (there with scipy's curve_fit; here Levenberg–Marquardt
// from the same start a = b = 1).
func FindABParams(spread, minDist float64) (a, b float64, err error) {
	if !(spread > 0) || minDist < 0 || math.IsInf(spread, 0) || math.IsNaN(minDist) {
		return 0, 0, fmt.Errorf("umap: spread %g, min_dist %g (want spread > 0, min_dist ≥ 0)", spread, minDist)
	}
	const points = 300
	xs := make([]float64, points)
	ys := make([]float64, points)
	for i := range xs {
		x := 3 * spread * float64(i) / (points - 1)
		xs[i] = x
		ys[i] = 1
		if x >= minDist {
			ys[i] = math.Exp(-(x - minDist) / spread)
		}
	}
	a, b = levenbergMarquardt(xs, ys, 1, 1)
	if math.IsNaN(a) || math.IsNaN(b) || a <= 0 || b <= 0 {
		return 0, 0, fmt.Errorf("umap: a/b fit failed for spread %g, min_dist %g", spread, minDist)
	}
	return a, b, nil
}

// kernelTerms returns f = 1/(1 + a·x^(2b)) and its derivatives in a and b.
func kernelTerms(x, a, b float64) (f, dfa, dfb float64) {
	if x == 0 {
		return 1, 0, 0
	}
	p := math.Pow(x, 2*b)
	den := 1 + a*p
	f = 1 / den
	dfa = -p / (den * den)
	dfb = -a * p * 2 * math.Log(x) / (den * den)
	return f, dfa, dfb
}

// levenbergMarquardt minimises Σ (f(x_i) − y_i)² over (a, b).
func levenbergMarquardt(xs, ys []float64, a, b float64) (float64, float64) {
	cost := func(a, b float64) float64 {
		var s float64
		for i, x := range xs {
			f, _, _ := kernelTerms(x, a, b)
			s += (f - ys[i]) * (f - ys[i])
		}
		return s
	}
	lambda := 1e-3
	current := cost(a, b)
	for range 1000 {
		// Normal equations JᵀJ δ = −Jᵀr with damping on the diagonal.
		var jaa, jab, jbb, ga, gb float64
		for i, x := range xs {
			f, da, db := kernelTerms(x, a, b)
			r := f - ys[i]
			jaa += da * da
			jab += da * db
			jbb += db * db
			ga += da * r
			gb += db * r
		}
		improved := false
		for !improved && lambda < 1e12 {
			maa := jaa * (1 + lambda)
			mbb := jbb * (1 + lambda)
			det := maa*mbb - jab*jab
			da := -(mbb*ga - jab*gb) / det
			db := -(maa*gb - jab*ga) / det
			na, nb := a+da, b+db
			if next := cost(na, nb); next < current {
				converged := math.Abs(da) <= 1e-13*(1+math.Abs(a)) && math.Abs(db) <= 1e-13*(1+math.Abs(b))
				a, b, current = na, nb, next
				lambda = max(lambda/10, 1e-12)
				improved = true
				if converged {
					return a, b
				}
			} else {
				lambda *= 10
			}
		}
		if !improved {
			return a, b
		}
	}
	return a, b
}
