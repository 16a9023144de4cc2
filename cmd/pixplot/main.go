// Command pixplot catalogues image collections in one SQLite file and turns any
// SQL-filtered subset into a zoomable WebGL map of similar images.
package main

import (
	"errors"
	"fmt"
	"os"
)

// exitError carries a documented exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	err := newRootCmd().Execute()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "pixplot:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		os.Exit(ee.code)
	}
	os.Exit(1)
}
