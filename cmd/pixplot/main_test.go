package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
)

// TestMain lets tests run the real command as a subprocess: the test binary
// re-executes itself with PIXPLOT_TEST_MAIN=1 and the CLI arguments.
func TestMain(m *testing.M) {
	if os.Getenv("PIXPLOT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// result is what one pixplot run printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// command prepares `pixplot args...` as a subprocess.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "PIXPLOT_TEST_MAIN=1")
	return cmd
}

// run runs `pixplot args...` to completion.
func run(t *testing.T, args ...string) result {
	t.Helper()
	cmd := command(t, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("pixplot %v: %v", args, err)
	}
	return r
}

// mustPixplot runs `pixplot args...` and fails the test unless it exits 0.
func mustPixplot(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("pixplot %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}
