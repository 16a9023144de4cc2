package umap

import (
	"math"
	"testing"
)

// Values printed by umap-learn 0.5.3: umap.umap_.find_ab_params(spread, min_dist).
func TestFindABParams_MatchesUmapLearn(t *testing.T) {
	for _, tc := range []struct{ spread, minDist, a, b float64 }{
		{1, 0.1, 1.5769434601962196, 0.8950608779914887},
		{1, 0.01, 1.8956058659900246, 0.8006378439765344},
		{1, 0.0, 1.9328083975546724, 0.7904949734010681},
		{1, 0.5, 0.583030020479462, 1.3341669929263487},
		{1, 0.001, 1.9290733952004866, 0.7915045329560677},
		{2, 0.1, 0.5446605403757238, 0.8420554264219823},
	} {
		a, b, err := FindABParams(tc.spread, tc.minDist)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(a-tc.a) > 1e-5*tc.a || math.Abs(b-tc.b) > 1e-5*tc.b {
			t.Errorf("spread %g min_dist %g: a, b = %.10f, %.10f; umap-learn %.10f, %.10f", tc.spread, tc.minDist, a, b, tc.a, tc.b)
		}
	}
}
