package hdbscan

import (
	"math"
	"testing"
)

func TestExemplars_AreCentralMembersOfTheirCluster(t *testing.T) {
	blobs := []blob{{-10, 0, 1, 1, 400}, {10, 0, 2, 2, 400}, {0, 15, 0.5, 0.5, 200}}
	data, truth := plantedBlobs(4, blobs, 100, 25)
	r := mustCluster(t, data, 2, Options{MinClusterSize: 20})
	ex, err := Exemplars(data, 2, r, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != r.NumClusters() {
		t.Fatalf("%d exemplar lists for %d clusters", len(ex), r.NumClusters())
	}
	for c, list := range ex {
		if len(list) != 5 {
			t.Fatalf("cluster %d: %d exemplars, want 5", c, len(list))
		}
		for rank, i := range list {
			if r.Labels[i] != c {
				t.Fatalf("cluster %d exemplar %d is point %d of cluster %d", c, rank, i, r.Labels[i])
			}
		}
		b := blobs[truth[list[0]]]
		if d := math.Hypot(data[2*list[0]]-b.x, data[2*list[0]+1]-b.y); d > b.sx/2 {
			t.Errorf("cluster %d: first exemplar %.2f from its blob's centre, want within σ/2 = %.2f", c, d, b.sx/2)
		}
	}
	if _, err := Exemplars(data[:10], 2, r, 5); err == nil {
		t.Error("exemplars of other data gave no error")
	}
}
