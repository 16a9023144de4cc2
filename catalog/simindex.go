package catalog

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// quantIndex is an in-memory, quantised copy of one model's unit vectors that
// finds the likely nearest neighbours of a query in two cheap stages:
//
//  1. binary codes: one bit per dimension, set where the vector is above the
//     collection's mean. Embeddings are ReLU outputs (all ≥ 0), so bits taken
//     without centring would be nearly all set and say little. The Hamming
//     distance between codes tracks the angle between the centred vectors;
//     a scan of all codes (dims/8 bytes a vector) keeps a shortlist.
//  2. int8 vectors of v − mean (each scaled by its own largest |value|;
//     centring makes the steps fine): an approximate dot product with the
//     query ranks the shortlist, keeping the few best.
//
// The caller ranks those few exactly with the stored float32 vectors, so the
// distances it reports are exact. Memory per vector: dims + dims/8 + 20 bytes
// (884 bytes at 768 dims: 84 MiB for 100,000 images), under a third of the
// float32 vectors themselves.
type quantIndex struct {
	dims     int
	words    int       // uint64 words per code
	ids      []int64   // ascending image ids; row r holds image ids[r]
	rowByID  []int32   // row of image ids[0]+i, -1 for none; nil when ids are too sparse
	codes    []uint64  // row r's code: codes[r*words : (r+1)*words]
	quant    []int8    // row r's centred vector, int8: quant[r*dims : (r+1)*dims]
	invScale []float32 // row r's vector − mean ≈ quant · invScale[r]
	offset   []float32 // row r's mean · (vector − mean)
	mean     []float32
}

// quantBuilder collects vectors, in ascending id order, for a quantIndex.
// The mean it centres them on is given up front: it need not be exact (an
// estimate from a sample serves), only the same for every vector.
type quantBuilder struct {
	x       *quantIndex
	centred []float32
}

func newQuantBuilder(mean []float32, capacity int) *quantBuilder {
	dims := len(mean)
	return &quantBuilder{
		x: &quantIndex{dims: dims, words: (dims + 63) / 64, mean: mean,
			ids: make([]int64, 0, capacity), codes: make([]uint64, 0, capacity*((dims+63)/64)),
			quant: make([]int8, 0, capacity*dims), invScale: make([]float32, 0, capacity), offset: make([]float32, 0, capacity)},
		centred: make([]float32, dims),
	}
}

// add appends image id's vector; ids must come in ascending order.
func (b *quantBuilder) add(id int64, v []float32) {
	x := b.x
	x.ids = append(x.ids, id)
	var offset float64
	for i, f := range v {
		b.centred[i] = f - x.mean[i]
		offset += float64(x.mean[i]) * float64(b.centred[i])
	}
	x.offset = append(x.offset, float32(offset))
	start := len(x.quant)
	x.quant = slices.Grow(x.quant, x.dims)[:start+x.dims]
	x.invScale = append(x.invScale, quantize(x.quant[start:], b.centred))
	start = len(x.codes)
	x.codes = slices.Grow(x.codes, x.words)[:start+x.words]
	x.encode(x.codes[start:], v)
}

// finish returns the index built.
func (b *quantBuilder) finish() *quantIndex {
	x := b.x
	// Image ids are mostly dense (1…n): a table finds rows faster than a binary search.
	if n := len(x.ids); n > 0 && x.ids[n-1]-x.ids[0] < 4*int64(n) {
		x.rowByID = make([]int32, x.ids[n-1]-x.ids[0]+1)
		for i := range x.rowByID {
			x.rowByID[i] = -1
		}
		for r, id := range x.ids {
			x.rowByID[id-x.ids[0]] = int32(r)
		}
	}
	return x
}

// quantize writes v scaled so its largest |value| is 127, rounded, to dst and
// returns the factor back (v ≈ dst · factor).
func quantize(dst []int8, v []float32) float32 {
	var peak float32
	for _, f := range v {
		peak = max(peak, float32(math.Abs(float64(f))))
	}
	if peak == 0 {
		clear(dst)
		return 0
	}
	scale := 127 / peak
	for i, f := range v {
		dst[i] = int8(math.Round(float64(f * scale)))
	}
	return peak / 127
}

// encode writes v's binary code (bit i set where v_i > mean_i) to code.
func (x *quantIndex) encode(code []uint64, v []float32) {
	clear(code)
	for i, f := range v {
		if f > x.mean[i] {
			code[i/64] |= 1 << (i % 64)
		}
	}
}

// rows is the number of vectors indexed.
func (x *quantIndex) rows() int { return len(x.ids) }

// row is the row of image id, or -1 when the index has no vector for it.
func (x *quantIndex) row(id int64) int {
	if x.rowByID != nil {
		if i := id - x.ids[0]; i >= 0 && i < int64(len(x.rowByID)) {
			return int(x.rowByID[i])
		}
		return -1
	}
	r, ok := slices.BinarySearch(x.ids, id)
	if !ok {
		return -1
	}
	return r
}

// rowsOf is the rows of those ids that the index holds, ascending (so the
// scan reads memory in order) and once each.
func (x *quantIndex) rowsOf(ids []int64) []int32 {
	marked := make([]uint64, (x.rows()+63)/64)
	for _, id := range ids {
		if r := x.row(id); r >= 0 {
			marked[r/64] |= 1 << (r % 64)
		}
	}
	rows := make([]int32, 0, len(ids))
	for w, word := range marked {
		for ; word != 0; word &= word - 1 {
			rows = append(rows, int32(w*64+bits.TrailingZeros64(word)))
		}
	}
	return rows
}

// searchDepth says how many candidates each stage keeps.
type searchDepth struct {
	shortlist int // kept by Hamming distance, for the int8 ranking
	rerank    int // kept by the int8 ranking, for the exact ranking
}

// candidates returns the ids of (at most) depth.rerank rows most likely
// nearest to the unit vector query, among rows (all rows when nil) and
// without image exclude. Their order is not meaningful.
func (x *quantIndex) candidates(query []float32, rows []int32, exclude int64, depth searchDepth) []int64 {
	n := x.rows()
	if rows != nil {
		n = len(rows)
	}
	skip := int32(-1)
	if r := x.row(exclude); exclude != 0 && r >= 0 {
		skip = int32(r)
	}
	code := make([]uint64, x.words)
	x.encode(code, query)
	var short []int32
	if n <= depth.shortlist {
		short = make([]int32, 0, n)
		for p := range n {
			short = append(short, rowAt(rows, p))
		}
	} else {
		short = x.nearestCodes(code, rows, n, depth.shortlist+1) // +1: room for the excluded row
	}
	short = slices.DeleteFunc(short, func(r int32) bool { return r == skip })
	return x.rankInt8(query, short, depth.rerank)
}

// rowAt is the p-th row searched: rows[p], or p itself when rows is nil.
func rowAt(rows []int32, p int) int32 {
	if rows == nil {
		return int32(p)
	}
	return rows[p]
}

// scanChunk is the fewest rows worth a goroutine of the Hamming scan.
const scanChunk = 16384

// nearestCodes returns the want rows (of the n searched) whose codes are
// nearest to code in Hamming distance. The scan is split across the CPUs;
// each part also counts its distances, so the cut-off distance follows from
// the counts without sorting.
func (x *quantIndex) nearestCodes(code []uint64, rows []int32, n, want int) []int32 {
	dist := make([]uint16, n)
	parts := max(1, min(runtime.GOMAXPROCS(0), n/scanChunk))
	counts := make([][]int, parts)
	var wg sync.WaitGroup
	for part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[part] = x.hammingPart(code, rows, dist, part*n/parts, (part+1)*n/parts)
		}()
	}
	wg.Wait()
	// cut: the smallest distance with at least want rows at or below it.
	cut, below := 0, 0
	for ; cut <= x.dims; cut++ {
		atCut := 0
		for _, c := range counts {
			atCut += c[cut]
		}
		if below+atCut >= want {
			break
		}
		below += atCut
	}
	tiesWanted := want - below
	out := make([]int32, 0, want)
	for p, d := range dist {
		if int(d) < cut || (int(d) == cut && tiesWanted > 0) {
			if int(d) == cut {
				tiesWanted--
			}
			out = append(out, rowAt(rows, p))
		}
	}
	return out
}

// hammingPart fills dist[from:to] with the Hamming distances of those
// searched rows to code and returns how many rows have each distance.
func (x *quantIndex) hammingPart(code []uint64, rows []int32, dist []uint16, from, to int) []int {
	count := make([]int, x.dims+1)
	w := x.words
	for p := from; p < to; p++ {
		r := int(rowAt(rows, p))
		c := x.codes[r*w : (r+1)*w : (r+1)*w]
		d := 0
		for i, word := range c {
			d += bits.OnesCount64(word ^ code[i])
		}
		dist[p] = uint16(d)
		count[d]++
	}
	return count
}

// rankInt8 returns the ids of the keep rows with the largest approximate dot
// product with query, computed on the int8 vectors:
// q·v = (q−m)·(v−m) + m·(v−m) + a term the same for all rows.
func (x *quantIndex) rankInt8(query []float32, rows []int32, keep int) []int64 {
	centred := make([]float32, x.dims)
	for i, f := range query {
		centred[i] = f - x.mean[i]
	}
	q := make([]int8, x.dims)
	qScale := quantize(q, centred)
	best := newTopScores(keep)
	for _, r := range rows {
		v := x.quant[int(r)*x.dims : (int(r)+1)*x.dims]
		best.offer(r, float32(dotInt8(q, v))*qScale*x.invScale[r]+x.offset[r])
	}
	ids := make([]int64, len(best.rows))
	for i, r := range best.rows {
		ids[i] = x.ids[r]
	}
	return ids
}

// dotInt8 is the dot product of two int8 vectors of equal length.
func dotInt8(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return s0 + s1 + s2 + s3
}

// topScores keeps the rows with the largest scores offered, in a min-heap of
// at most size entries (the smallest kept score at the root).
type topScores struct {
	size   int
	rows   []int32
	scores []float32
}

func newTopScores(size int) *topScores {
	return &topScores{size: size, rows: make([]int32, 0, size), scores: make([]float32, 0, size)}
}

func (t *topScores) offer(row int32, score float32) {
	if len(t.rows) < t.size {
		t.rows = append(t.rows, row)
		t.scores = append(t.scores, score)
		t.up(len(t.rows) - 1)
		return
	}
	if t.size == 0 || score <= t.scores[0] {
		return
	}
	t.rows[0], t.scores[0] = row, score
	t.down(0)
}

func (t *topScores) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if t.scores[parent] <= t.scores[i] {
			return
		}
		t.swap(i, parent)
		i = parent
	}
}

func (t *topScores) down(i int) {
	for {
		least := i
		for _, child := range []int{2*i + 1, 2*i + 2} {
			if child < len(t.rows) && t.scores[child] < t.scores[least] {
				least = child
			}
		}
		if least == i {
			return
		}
		t.swap(i, least)
		i = least
	}
}

func (t *topScores) swap(i, j int) {
	t.rows[i], t.rows[j] = t.rows[j], t.rows[i]
	t.scores[i], t.scores[j] = t.scores[j], t.scores[i]
}
