package main

import (
	"github.com/spf13/cobra"
)

// globalFlags are shared by every command.
type globalFlags struct {
	db       string
	cacheDir string
}

func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "pixplot",
		Short:         "Catalogue images in one SQLite file and explore them as a zoomable map of similar images",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.db, "db", "pixplot.db", "catalog file")
	root.PersistentFlags().StringVar(&g.cacheDir, "cache-dir", "", "where the runtime, models and samples are cached (default $PIXPLOT_CACHE or ~/.cache/pixplot)")
	root.AddCommand(
		newSetupCmd(g),
		newIngestCmd(g),
		newInfoCmd(g),
		newSimilarCmd(g),
		newSampleCmd(g),
		newPlotCmd(g),
		newPlotsCmd(g),
		newServeCmd(g),
		newExportCmd(g),
	)
	return root
}
