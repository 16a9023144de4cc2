package catalog

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// MaxSearchResults caps how many hits Search returns.
const MaxSearchResults = 50

// maxSearchTerms bounds the words of one query, so a pasted page of text
// cannot become an FTS5 query of thousands of phrases.
const maxSearchTerms = 32

// SearchHit is one full-text search result.
type SearchHit struct {
	ID       int64  `json:"id"`
	Filename string `json:"filename"`
	// Snippet is plain text around the best-matching words of the best-matching
	// column (filename, category, tags or description), "…" where cut.
	Snippet string `json:"snippet"`
}

// SearchOptions narrow a full-text search.
type SearchOptions struct {
	// Limit is the most hits returned: 1 to MaxSearchResults (0: MaxSearchResults).
	Limit int
	// Plot, when not "", restricts the search to that plot's images.
	Plot string
}

// Search finds images whose filename, category, tags or description contain
// every word of text (each word also matches as a prefix: "harb" finds
// "harbour"), best first by BM25, where filename, category and tags weigh twice
// as much as the description. text is the user's own text, never FTS5 syntax:
// quotes, operators and column filters in it are searched for as words. A text
// with no words finds nothing.
func (c *Catalog) Search(ctx context.Context, text string, opt SearchOptions) ([]SearchHit, error) {
	limit := opt.Limit
	if limit == 0 {
		limit = MaxSearchResults
	}
	if limit < 1 || limit > MaxSearchResults {
		return nil, fmt.Errorf("%w: search limit %d (1 to %d allowed)", ErrInvalid, limit, MaxSearchResults)
	}
	query := ftsQuery(text)
	if query == "" {
		return []SearchHit{}, nil
	}
	where := `image_search MATCH ?1`
	args := []any{query, limit}
	if opt.Plot != "" {
		// The unary + keeps the plot's ids out of FTS5's index planning: else
		// FTS5 runs the MATCH once per id of the plot (a minute at 100k).
		where += ` AND +image_search.rowid IN (SELECT pi.image_id FROM plot_images pi
			JOIN plots p ON p.id = pi.plot_id WHERE p.name = ?3)`
		args = append(args, opt.Plot)
	}
	rows, err := c.read.QueryContext(ctx, `SELECT i.id, i.filename,
		       snippet(image_search, -1, '', '', '…', 16)
		  FROM image_search JOIN images i ON i.id = image_search.rowid
		 WHERE `+where+`
		 ORDER BY bm25(image_search, 2.0, 2.0, 2.0, 1.0), i.id
		 LIMIT ?2`, args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", text, err)
	}
	defer rows.Close()
	hits := []SearchHit{}
	for rows.Next() {
		var h SearchHit
		if err := rows.Scan(&h.ID, &h.Filename, &h.Snippet); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", text, err)
	}
	return hits, nil
}

// ftsQuery turns a person's search text into an FTS5 query that cannot be a
// syntax error: each whitespace-separated word becomes a quoted prefix phrase
// ("word"*), and the phrases are ANDed. Control characters are dropped and
// quotes doubled, so nothing the user types is read as FTS5 syntax. Words
// beyond maxSearchTerms are ignored. "" means there is nothing to search for.
func ftsQuery(text string) string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, text)
	var phrases []string
	for _, word := range strings.Fields(text) {
		if !strings.ContainsFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue // only punctuation: the tokenizer would make it an empty phrase
		}
		phrases = append(phrases, `"`+strings.ReplaceAll(word, `"`, `""`)+`"*`)
		if len(phrases) == maxSearchTerms {
			break
		}
	}
	return strings.Join(phrases, " ")
}
