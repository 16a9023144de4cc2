package ingest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pixplot/pixplot/imagecodec"
)

// Outcome classifies a run for the command's exit status.
type Outcome int

const (
	// OutcomeOK: everything discovered is stored and nothing was reported.
	OutcomeOK Outcome = iota
	// OutcomePartial: some files (or metadata rows) failed; the rest is stored.
	OutcomePartial
	// OutcomeFailed: nothing could be done (no images, or every image failed, or a fatal error).
	OutcomeFailed
)

// ExitCode is the documented exit status of an outcome: 0, 3 or 1.
func (o Outcome) ExitCode() int {
	switch o {
	case OutcomeOK:
		return 0
	case OutcomePartial:
		return 3
	}
	return 1
}

func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomePartial:
		return "partial"
	}
	return "failed"
}

// Summary is what a run did. It is stored as the run's summary (JSON).
type Summary struct {
	Discovered int `json:"discovered"` // images the spec names
	Ingested   int `json:"ingested"`   // new images stored
	Updated    int `json:"updated"`    // stored images re-read: bytes changed, or no vector for this model
	Unchanged  int `json:"unchanged"`  // stored images skipped (same size and time, or same hash)
	Failed     int `json:"failed"`     // images that could not be stored
	// FailedReasons groups the failures ("decode: not an image" → 3).
	FailedReasons map[string]int `json:"failed_reasons,omitempty"`
	// MetadataUpdated counts unchanged images whose metadata changed.
	MetadataUpdated int `json:"metadata_updated"`
	// DiscoveryProblems counts files and manifests skipped before reading
	// (dangling symlinks, FIFOs, loops, unreachable manifests).
	DiscoveryProblems int `json:"discovery_problems"`
	MetadataRows      int `json:"metadata_rows"`
	MetadataMatched   int `json:"metadata_matched"`
	// MetadataProblems counts bad values, duplicate and ambiguous rows.
	MetadataProblems int `json:"metadata_problems"`
	// MetadataUnmatched counts rows naming no discovered image; the first few
	// are in UnmatchedExamples.
	MetadataUnmatched int      `json:"metadata_unmatched"`
	UnmatchedExamples []string `json:"unmatched_examples,omitempty"`
	// Removed counts stored images under this spec whose files are gone;
	// Pruned says whether they were removed from the catalog (--prune).
	Removed         int      `json:"removed"`
	RemovedExamples []string `json:"removed_examples,omitempty"`
	Pruned          bool     `json:"pruned"`
	Interrupted     bool     `json:"interrupted,omitempty"`
	// Problems names the first problems met ("path: message"), in order:
	// skipped files, metadata cells and rows, failed images. All of them (up
	// to 1000 per stage) are in ingest_errors.
	Problems []string `json:"problems,omitempty"`
	// Seconds is the run's wall time; Rate is images read and stored per second.
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"rate"`
	RunID   int64   `json:"-"`
}

// How many unmatched rows or removed files, and how many problems, a summary names.
const (
	exampleCount    = 5
	problemExamples = 20
)

// Outcome classifies the run.
func (s Summary) Outcome() Outcome {
	stored := s.Ingested + s.Updated + s.Unchanged
	switch {
	case s.Discovered == 0 || (stored == 0 && s.Failed > 0) || s.Interrupted && stored == 0:
		return OutcomeFailed
	case s.Failed > 0 || s.DiscoveryProblems > 0 || s.MetadataProblems > 0 || s.Interrupted:
		return OutcomePartial
	}
	return OutcomeOK
}

// Text is the end-of-run report, one fact per line.
func (s Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d images: %d ingested, %d updated, %d unchanged, %d failed (%.1f s, %.1f images/s)\n",
		s.Discovered, s.Ingested, s.Updated, s.Unchanged, s.Failed, s.Seconds, s.Rate)
	reasons := make([]string, 0, len(s.FailedReasons))
	for r := range s.FailedReasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		ci, cj := s.FailedReasons[reasons[i]], s.FailedReasons[reasons[j]]
		return ci > cj || ci == cj && reasons[i] < reasons[j]
	})
	for _, r := range reasons {
		fmt.Fprintf(&b, "  failed: %d × %s\n", s.FailedReasons[r], r)
	}
	if s.FailedReasons[tooLargeReason] > 0 {
		b.WriteString("  (a higher --max-pixels ingests such images; decoding needs about 4 bytes per pixel)\n")
	}
	if s.DiscoveryProblems > 0 {
		fmt.Fprintf(&b, "%d files skipped while looking for images\n", s.DiscoveryProblems)
	}
	if s.MetadataUpdated > 0 {
		fmt.Fprintf(&b, "metadata updated for %d unchanged images\n", s.MetadataUpdated)
	}
	if s.MetadataRows > 0 {
		fmt.Fprintf(&b, "metadata: %d rows, %d matched an image, %d problems\n", s.MetadataRows, s.MetadataMatched, s.MetadataProblems)
	}
	if s.MetadataUnmatched > 0 {
		fmt.Fprintf(&b, "metadata rows without an image: %d (%s)\n", s.MetadataUnmatched, examples(s.UnmatchedExamples, s.MetadataUnmatched))
	}
	switch {
	case s.Removed > 0 && s.Pruned:
		fmt.Fprintf(&b, "removed from the catalog: %d images whose files are gone (%s)\n", s.Removed, examples(s.RemovedExamples, s.Removed))
	case s.Removed > 0:
		fmt.Fprintf(&b, "files gone: %d catalogued images are no longer there (%s); run with --prune to remove them\n", s.Removed, examples(s.RemovedExamples, s.Removed))
	}
	if len(s.Problems) > 0 {
		b.WriteString("problems (the catalog's ingest_errors table keeps them):\n")
		for _, p := range s.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
		if more := s.Failed + s.DiscoveryProblems + s.MetadataProblems - len(s.Problems); more > 0 {
			fmt.Fprintf(&b, "  … and %d more\n", more)
		}
	}
	if s.Interrupted {
		b.WriteString("interrupted: run again to finish (what was stored is kept)\n")
	}
	return b.String()
}

func examples(list []string, total int) string {
	s := strings.Join(list, ", ")
	if total > len(list) {
		s += ", …"
	}
	return s
}

// tooLargeReason is the failure reason of images over Options.MaxPixels.
var tooLargeReason = StageDecode + ": " + imagecodec.ErrTooLarge.Error()

func (s *Summary) fail(reason string) {
	s.Failed++
	if s.FailedReasons == nil {
		s.FailedReasons = map[string]int{}
	}
	s.FailedReasons[reason]++
}

func (s *Summary) finish(start time.Time) {
	s.Seconds = time.Since(start).Seconds()
	if s.Seconds > 0 {
		s.Rate = float64(s.Ingested+s.Updated) / s.Seconds
	}
}
