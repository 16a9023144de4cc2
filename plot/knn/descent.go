package knn

import (
	"math"
	"sync/atomic"

	"github.com/pixplot/pixplot/plot/internal/parallel"
	"github.com/pixplot/pixplot/plot/internal/rng"
)

// DescentOptions tune NN-descent. Zero fields take the values umap-learn
// 0.5 passes to pynndescent, except MaxCandidates.
type DescentOptions struct {
	Trees         int     // random-projection trees; 0: min(64, 5+round(√n/20))
	LeafSize      int     // largest leaf; 0: max(10, K)
	Iterations    int     // most NN-descent rounds; 0: max(5, round(log₂ n))
	MaxCandidates int     // candidates per point and round; 0: min(60, 2·K)
	Delta         float64 // stop when a round changes fewer than Delta·K·n entries; 0: 0.001
}

func (o DescentOptions) withDefaults(n, k int) DescentOptions {
	if o.Trees <= 0 {
		o.Trees = min(64, 5+int(math.Round(math.Sqrt(float64(n))/20)))
	}
	if o.LeafSize <= 0 {
		o.LeafSize = max(10, k)
	}
	if o.Iterations <= 0 {
		o.Iterations = max(5, int(math.Round(math.Log2(float64(n)))))
	}
	if o.MaxCandidates <= 0 {
		// umap-learn passes 60; twice K gave the same recall@15 (0.998 on
		// Fashion-MNIST 20k) in less time and half the memory.
		o.MaxCandidates = min(60, 2*k)
	}
	if o.Delta <= 0 {
		o.Delta = 0.001
	}
	return o
}

// Purposes of random streams, so that no two steps share draws.
const (
	streamTree = iota + 1
	streamFill
	streamCandidates
)

// update proposes p and q as neighbours of each other at search distance d.
type update struct {
	p, q int32
	d    float32
}

// descent computes an approximate graph: a random-projection forest gives
// each point candidates from its leaves, then NN-descent rounds improve the
// lists by comparing the neighbours (and reverse neighbours) of each point
// with each other.
func (s *space) descent(k int, seed uint64, threads int, opts DescentOptions, progress func(done, total int)) *Graph {
	h := newNeighbourHeaps(s.n, k-1, true)
	if k == 1 {
		return h.toGraph(s, k, threads)
	}
	opts = opts.withDefaults(s.n, k)
	total := opts.Trees + opts.Iterations
	s.initFromForest(h, seed, opts, threads, func(trees int) { progress(trees, total) })
	s.fillRandom(h, seed, threads)
	for round := range opts.Iterations {
		changed := s.descentRound(h, seed, round, opts.MaxCandidates, threads)
		progress(opts.Trees+round+1, total)
		if float64(changed) <= opts.Delta*float64(k)*float64(s.n) {
			break
		}
	}
	progress(total, total)
	return h.toGraph(s, k, threads)
}

// initFromForest offers every pair of points that share a leaf of some tree.
// Trees are built a few at a time to bound memory.
func (s *space) initFromForest(h *neighbourHeaps, seed uint64, opts DescentOptions, threads int, treesDone func(int)) {
	workers := parallel.Workers(threads)
	for t0 := 0; t0 < opts.Trees; t0 += workers {
		batch := min(workers, opts.Trees-t0)
		forest := make([]rpLeaves, batch)
		parallel.Chunks(batch, threads, func(t int) {
			forest[t] = s.rpTree(rng.Hash(seed, streamTree, uint64(t0+t)), opts.LeafSize)
		})
		for t, tree := range forest {
			lists := make([][]update, len(tree.bounds)-1)
			parallel.Range(len(lists), 64, threads, func(lo, hi int) {
				for leaf := lo; leaf < hi; leaf++ {
					lists[leaf] = s.leafUpdates(h, tree.leaf(leaf))
				}
			})
			h.apply(lists, threads)
			treesDone(t0 + t + 1)
		}
	}
}

// leafUpdates compares all pairs within a leaf.
func (s *space) leafUpdates(h *neighbourHeaps, leaf []int32) []update {
	var out []update
	for a, p := range leaf {
		for _, q := range leaf[a+1:] {
			d := s.dist(p, q)
			if d < h.threshold(p) || d < h.threshold(q) {
				out = append(out, update{p, q, d})
			}
		}
	}
	return out
}

// fillRandom gives points with empty slots (those in tiny leaves) random
// neighbours, so every point takes part in NN-descent.
func (s *space) fillRandom(h *neighbourHeaps, seed uint64, threads int) {
	parallelRows(s.n, threads, func(p int) {
		lo := p * h.size
		missing := 0
		for _, q := range h.idx[lo : lo+h.size] {
			if q < 0 {
				missing++
			}
		}
		r := rng.NewFast(rng.Hash(seed, streamFill, uint64(p)))
		for range missing {
			q := int32(r.Below(uint32(s.n)))
			if q != int32(p) {
				h.push(int32(p), q, s.dist(int32(p), q))
			}
		}
	})
}

// descentRound runs one NN-descent round and returns how many heap entries
// changed.
func (s *space) descentRound(h *neighbourHeaps, seed uint64, round, maxCandidates, threads int) int {
	fresh, old := h.candidates(rng.Hash(seed, streamCandidates, uint64(round)), maxCandidates, threads)
	const block = 16384
	changed := 0
	for b0 := 0; b0 < s.n; b0 += block {
		b1 := min(b0+block, s.n)
		const grain = 128
		lists := make([][]update, (b1-b0+grain-1)/grain)
		parallel.Chunks(len(lists), threads, func(c int) {
			for i := b0 + c*grain; i < min(b0+(c+1)*grain, b1); i++ {
				lists[c] = s.localJoin(h, fresh.row(i), old.row(i), lists[c])
			}
		})
		changed += h.apply(lists, threads)
	}
	return changed
}

// localJoin compares new candidates of a point with each other and with its
// old candidates, appending the pairs that improve either heap.
func (s *space) localJoin(h *neighbourHeaps, fresh, old []int32, out []update) []update {
	for a, p := range fresh {
		if p < 0 {
			continue
		}
		for _, q := range fresh[a+1:] {
			if q >= 0 && q != p {
				out = s.offerPair(h, p, q, out)
			}
		}
		for _, q := range old {
			if q >= 0 && q != p {
				out = s.offerPair(h, p, q, out)
			}
		}
	}
	return out
}

func (s *space) offerPair(h *neighbourHeaps, p, q int32, out []update) []update {
	d := s.dist(p, q)
	if d < h.threshold(p) || d < h.threshold(q) {
		out = append(out, update{p, q, d})
	}
	return out
}

// apply pushes each update into both endpoints' heaps and returns how many
// pushes succeeded. Workers own disjoint ranges of target points and read the
// lists in order, so every heap sees the same pushes in the same order
// whatever the number of workers.
func (h *neighbourHeaps) apply(lists [][]update, threads int) int {
	n := h.n
	workers := min(parallel.Workers(threads), n)
	var changed atomic.Int64
	parallel.Chunks(workers, workers, func(w int) {
		lo, hi := int32(w*n/workers), int32((w+1)*n/workers)
		count := 0
		for _, list := range lists {
			for _, u := range list {
				if u.p >= lo && u.p < hi && h.push(u.p, u.q, u.d) {
					count++
				}
				if u.q >= lo && u.q < hi && h.push(u.q, u.p, u.d) {
					count++
				}
			}
		}
		changed.Add(int64(count))
	})
	return int(changed.Load())
}

// candidateLists holds up to size candidate points per point.
type candidateLists struct {
	size int
	idx  []int32
}

func (c candidateLists) row(i int) []int32 { return c.idx[i*c.size : (i+1)*c.size] }

// candidates samples, for every point, up to maxCandidates of its neighbours
// and reverse neighbours, split into new ones (not yet joined) and old ones,
// by smallest random priority as pynndescent does. Sampled new neighbours
// are then marked old. Workers own disjoint target ranges and scan all
// edges in order, so the lists do not depend on the number of workers.
func (h *neighbourHeaps) candidates(seed uint64, maxCandidates, threads int) (fresh, old candidateLists) {
	n := h.n
	newHeaps := newNeighbourHeaps(n, maxCandidates, false)
	oldHeaps := newNeighbourHeaps(n, maxCandidates, false)
	workers := min(parallel.Workers(threads), n)
	parallel.Chunks(workers, workers, func(w int) {
		lo, hi := int32(w*n/workers), int32((w+1)*n/workers)
		for i := range int32(n) {
			for j := int(i) * h.size; j < (int(i)+1)*h.size; j++ {
				q := h.idx[j]
				ownI, ownQ := i >= lo && i < hi, q >= lo && q < hi
				if q < 0 || !(ownI || ownQ) {
					continue
				}
				priority := rng.Unit(rng.Hash(seed, uint64(i), uint64(q)))
				target := oldHeaps
				if h.fresh[j] {
					target = newHeaps
				}
				if ownI {
					target.push(i, q, priority)
				}
				if ownQ {
					target.push(q, i, priority)
				}
			}
		}
	})
	parallelRows(n, threads, func(i int) {
		sampled := newHeaps.idx[i*maxCandidates : (i+1)*maxCandidates]
		for j := i * h.size; j < (i+1)*h.size; j++ {
			if h.fresh[j] && containsIndex(sampled, h.idx[j]) {
				h.fresh[j] = false
			}
		}
	})
	return candidateLists{maxCandidates, newHeaps.idx}, candidateLists{maxCandidates, oldHeaps.idx}
}

func containsIndex(list []int32, q int32) bool {
	for _, v := range list {
		if v == q {
			return true
		}
	}
	return false
}
