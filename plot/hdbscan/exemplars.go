package hdbscan

import (
	"fmt"
	"math"
	"slices"
)

// medoidSample is how many of a cluster's most probable members its medoid
// is sought among: the exact medoid of a 50,000-point cluster would cost
// 2.5·10⁹ distances, and its densest core is where the medoid lies anyway.
const medoidSample = 512

// Exemplars returns, for every cluster of r (by label), up to count of its
// members, most central first: by decreasing membership probability, then
// by increasing distance to the medoid of the cluster's most probable
// members. data must be the points r was computed from.
func Exemplars[T Float](data []T, dim int, r *Result, count int) ([][]int, error) {
	points, err := toFloat64(data, dim)
	if err != nil {
		return nil, err
	}
	if len(points) != len(r.Labels)*dim {
		return nil, fmt.Errorf("hdbscan: %d points for a result of %d", len(points)/dim, len(r.Labels))
	}
	members := make([][]int, r.NumClusters())
	for i, l := range r.Labels {
		if l >= 0 {
			members[l] = append(members[l], i)
		}
	}
	out := make([][]int, len(members))
	for c, m := range members {
		out[c] = centralMembers(points, dim, r.Probabilities, m, count)
	}
	return out, nil
}

// centralMembers ranks members as Exemplars describes and keeps count.
func centralMembers(points []float64, dim int, prob []float64, members []int, count int) []int {
	row := func(i int) []float64 { return points[i*dim : (i+1)*dim] }
	ranked := slices.Clone(members)
	slices.SortStableFunc(ranked, func(a, b int) int { return cmpFloat(prob[b], prob[a]) })
	core := ranked[:min(len(ranked), medoidSample)]
	medoid, bestSum := core[0], math.Inf(1)
	for _, i := range core {
		sum := 0.0
		for _, j := range core {
			sum += math.Sqrt(dist2(row(i), row(j)))
		}
		if sum < bestSum {
			medoid, bestSum = i, sum
		}
	}
	toMedoid := make(map[int]float64, len(ranked))
	for _, i := range ranked {
		toMedoid[i] = dist2(row(i), row(medoid))
	}
	slices.SortStableFunc(ranked, func(a, b int) int {
		if c := cmpFloat(prob[b], prob[a]); c != 0 {
			return c
		}
		return cmpFloat(toMedoid[a], toMedoid[b])
	})
	return ranked[:min(len(ranked), count)]
}
