package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/pixplot/pixplot"
)

// Vector returns image imageID's unit vector for model modelID.
func (c *Catalog) Vector(ctx context.Context, modelID, imageID int64) ([]float32, error) {
	m, err := c.Model(ctx, modelID)
	if err != nil {
		return nil, err
	}
	var blob []byte
	err = c.read.QueryRowContext(ctx, `SELECT vector FROM embeddings WHERE model_id = ? AND image_id = ?`,
		modelID, imageID).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("image %d has no vector for model %d: %w", imageID, modelID, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeVector(blob, m.Dims)
}

// vectorsChunk bounds the id list sent per query.
const vectorsChunk = 20000

// Vectors returns the unit vectors of model modelID for ids, in ids' order. It
// reads the plain `embeddings` table (fast bulk reads, e.g. UMAP input); an id
// without a vector is an ErrNotFound error naming it.
func (c *Catalog) Vectors(ctx context.Context, modelID int64, ids []int64) ([][]float32, error) {
	m, err := c.Model(ctx, modelID)
	if err != nil {
		return nil, err
	}
	positions := make(map[int64][]int, len(ids)) // an id may be asked for twice
	for i, id := range ids {
		positions[id] = append(positions[id], i)
	}
	out := make([][]float32, len(ids))
	slab := make([]float32, len(ids)*m.Dims) // one allocation for all vectors
	put := func(id int64, blob []byte) {
		for _, i := range positions[id] {
			out[i] = slab[i*m.Dims : (i+1)*m.Dims : (i+1)*m.Dims]
			decodeInto(out[i], blob)
		}
	}
	var stored int
	err = c.read.QueryRowContext(ctx, `SELECT count(*) FROM embeddings WHERE model_id = ?`, modelID).Scan(&stored)
	if err != nil {
		return nil, err
	}
	if 4*len(positions) >= stored {
		// A quarter or more of the model's vectors: one pass over them all beats probing each id.
		rows, err := c.read.QueryContext(ctx, `SELECT image_id, vector FROM embeddings WHERE model_id = ?`, modelID)
		if err != nil {
			return nil, err
		}
		if err := scanVectors(rows, m.Dims, positions, put); err != nil {
			return nil, err
		}
	} else {
		for chunk := range slices.Chunk(ids, vectorsChunk) {
			list, _ := json.Marshal(chunk)
			rows, err := c.read.QueryContext(ctx, `SELECT image_id, vector FROM embeddings
				WHERE model_id = ? AND image_id IN (SELECT value FROM json_each(?))`, modelID, string(list))
			if err != nil {
				return nil, err
			}
			if err := scanVectors(rows, m.Dims, positions, put); err != nil {
				return nil, err
			}
		}
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("image %d has no vector for model %d: %w", ids[i], modelID, ErrNotFound)
		}
	}
	return out, nil
}

// scanVectors hands the (image_id, vector) rows whose id is wanted to put,
// after checking the vector's size.
func scanVectors(rows *sql.Rows, dims int, wanted map[int64][]int, put func(id int64, blob []byte)) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var blob sql.RawBytes // valid until the next row: put copies it
		if err := rows.Scan(&id, &blob); err != nil {
			return err
		}
		if _, ok := wanted[id]; !ok {
			continue
		}
		if len(blob) != 4*dims {
			return fmt.Errorf("image %d: %w: stored vector has %d bytes, expected %d", id, ErrWrongDims, len(blob), 4*dims)
		}
		put(id, blob)
	}
	return rows.Err()
}

// SimilarOptions narrow a similarity search.
type SimilarOptions struct {
	// Exclude leaves this image id out of the results (the query image itself); 0: none.
	Exclude int64
	// Within, when not nil, restricts the search to these image ids (e.g. a
	// plot's images); an empty non-nil slice finds nothing.
	Within []int64
}

// Similar returns the k images of model modelID whose vectors are nearest to
// query, nearest first (ties by id).
//
// Models with many vectors are searched with an in-memory quantised index
// (built in the background on first use, see PrepareSimilar) whose
// candidates are ranked exactly with the stored vectors: recall@20 ≥ 0.99
// against the exact search, and exact distances. Until the index is ready,
// while it is rebuilt after vectors changed, and for small models, it is an
// exact (brute-force) sqlite-vec KNN search.
//
// Distance is the cosine distance 1 − cos(query, image), from 0 (same
// direction) to 2 (opposite). sqlite-vec ranks by L2 distance between unit
// vectors, which orders results exactly like cosine; the reported value is
// L2²/2, which equals the cosine distance.
func (c *Catalog) Similar(ctx context.Context, modelID int64, query []float32, k int, opt SimilarOptions) ([]pixplot.Neighbor, error) {
	m, err := c.Model(ctx, modelID)
	if err != nil {
		return nil, err
	}
	unit, err := unitVector(query, m.Dims)
	if err != nil {
		return nil, fmt.Errorf("similar: query for model %s: %w", m.Name, err)
	}
	if k < 1 || k > maxKNN {
		return nil, fmt.Errorf("%w: k = %d (1 to %d allowed)", ErrInvalid, k, maxKNN)
	}
	if opt.Within != nil && len(opt.Within) == 0 {
		return nil, nil
	}
	if x := c.currentIndex(ctx, m); x != nil {
		c.similar.searches.indexed.Add(1)
		return c.similarIndexed(ctx, x, m, unit, k, opt)
	}
	c.similar.searches.exact.Add(1)
	return c.similarExact(ctx, modelID, unit, k, opt)
}

// similarExact is Similar as an exact sqlite-vec KNN search.
func (c *Catalog) similarExact(ctx context.Context, modelID int64, unit []float32, k int, opt SimilarOptions) ([]pixplot.Neighbor, error) {
	fetch := k
	if opt.Exclude != 0 {
		fetch = min(k+1, maxKNN) // rowid != is not pushed into vec0: drop it afterwards
	}
	knn := `SELECT image_id, distance FROM ` + vecTable(modelID) + ` WHERE embedding MATCH ?1 AND k = ?2`
	args := []any{encodeVector(unit), fetch}
	if opt.Within != nil {
		knn += ` AND image_id IN (SELECT value FROM json_each(?3))`
		list, _ := json.Marshal(opt.Within)
		args = append(args, string(list))
	}
	// MATERIALIZED keeps the planner from driving the vec0 scan from the join.
	rows, err := c.read.QueryContext(ctx, `WITH knn AS MATERIALIZED (`+knn+`)
		SELECT knn.image_id, i.filename, knn.distance FROM knn JOIN images i ON i.id = knn.image_id
		ORDER BY knn.distance, knn.image_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("similar (model %d): %w", modelID, err)
	}
	defer rows.Close()
	neighbors := make([]pixplot.Neighbor, 0, k)
	for rows.Next() {
		var n pixplot.Neighbor
		if err := rows.Scan(&n.ID, &n.Filename, &n.Distance); err != nil {
			return nil, err
		}
		if n.ID == opt.Exclude || len(neighbors) == k {
			continue
		}
		n.Distance = cosineDistance(n.Distance)
		neighbors = append(neighbors, n)
	}
	return neighbors, rows.Err()
}
