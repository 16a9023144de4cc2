//go:build !unix

package catalog

// processAlive cannot tell here; stale plots are then found by their
// heartbeat alone (PlotStaleAfter).
func processAlive(pid int) bool { return pid > 0 }
