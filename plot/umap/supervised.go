package umap

import "math"

// Distances umap-learn's categorical intersection assumes between points
// whose labels are unknown (-1) or differ.
const unknownLabelDist = 1.0

// farLabelDist is umap-learn's far_dist for a target weight.
func farLabelDist(targetWeight float64) float64 {
	if targetWeight < 1 {
		return 2.5 / (1 - targetWeight)
	}
	return 1e12
}

// intersectLabels weakens edges between points of different labels (and
// those touching unknown labels) as umap-learn's
// discrete_metric_simplicial_set_intersection, then restores local
// connectivity: rows are rescaled to a maximum of 1 and the result is
// fuzzy-unioned with its transpose.
func (g *graph) intersectLabels(labels []int, targetWeight float64) *graph {
	far := float32(math.Exp(-farLabelDist(targetWeight)))
	unknown := float32(math.Exp(-unknownLabelDist))
	es := g.entries()
	for k, e := range es {
		li, lj := labels[e.row], labels[e.col]
		switch {
		case li == -1 || lj == -1:
			es[k].val *= unknown
		case li != lj:
			es[k].val *= far
		}
	}
	scaled := assemble(g.n, es, nil)
	for i := range scaled.n {
		vals := scaled.vals[scaled.rowStart[i]:scaled.rowStart[i+1]]
		var m float32
		for _, v := range vals {
			m = max(m, v)
		}
		for j := range vals {
			vals[j] /= m
		}
	}
	return fuzzyUnion(scaled.n, scaled.entries())
}
