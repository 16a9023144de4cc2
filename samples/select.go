package samples

import (
	"hash/fnv"
	"math/rand/v2"
	"sort"
)

// Select returns at most limit records (all when limit <= 0), spread evenly over
// the categories: each category gets an equal share, a category smaller than its
// share is taken whole and what it leaves is shared by the others, and any last
// odd images go to the largest categories. Which records of a category are kept
// depends only on seed and that category, so the result is deterministic. The
// records keep their input order.
func Select(records []Record, limit int, seed int64) []Record {
	if limit <= 0 || limit >= len(records) {
		return records
	}
	byCategory := map[string][]int{}
	for i, r := range records {
		byCategory[r.Meta.Category] = append(byCategory[r.Meta.Category], i)
	}
	quota := categoryQuotas(byCategory, limit)
	keep := make([]bool, len(records))
	for category, indexes := range byCategory {
		picked := append([]int(nil), indexes...)
		rng := rand.New(rand.NewPCG(uint64(seed), categoryHash(category)))
		rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
		for _, i := range picked[:quota[category]] {
			keep[i] = true
		}
	}
	out := make([]Record, 0, limit)
	for i, r := range records {
		if keep[i] {
			out = append(out, r)
		}
	}
	return out
}

// categoryQuotas shares limit (less than the total) among the categories by water filling.
func categoryQuotas(byCategory map[string][]int, limit int) map[string]int {
	open := make([]string, 0, len(byCategory))
	for c := range byCategory {
		open = append(open, c)
	}
	// Largest first, so the odd remainder goes to the categories that can best spare it.
	sort.Slice(open, func(i, j int) bool {
		ni, nj := len(byCategory[open[i]]), len(byCategory[open[j]])
		return ni > nj || ni == nj && open[i] < open[j]
	})
	quota := map[string]int{}
	left := limit
	for left > 0 && len(open) > 0 {
		share := left / len(open)
		if share == 0 {
			for _, c := range open[:left] {
				quota[c]++
			}
			break
		}
		var still []string
		for _, c := range open {
			add := min(share, len(byCategory[c])-quota[c])
			quota[c] += add
			left -= add
			if quota[c] < len(byCategory[c]) {
				still = append(still, c)
			}
		}
		open = still
	}
	return quota
}

func categoryHash(category string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(category))
	return h.Sum64()
}
