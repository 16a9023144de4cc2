package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/catalog"
)

func newPlotsCmd(g *globalFlags) *cobra.Command {
	cmd := reportCmd(g, &cobra.Command{
		Use:   "plots [--json]",
		Short: "List the catalog's plots: filter, images, layouts, hotspots, when made and how long it took",
	}, (*catalog.Catalog).Plots, printPlots)
	cmd.AddCommand(&cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a plot with its layouts, hotspots and atlases (images and everything else stay)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := g.openCatalog(false)
			if err != nil {
				return err
			}
			defer cat.Close()
			if err := cat.RemovePlot(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed plot %s\n", args[0])
			return nil
		},
	})
	return cmd
}

// printPlots writes one line per plot.
func printPlots(w io.Writer, plots []catalog.PlotInfo) error {
	if len(plots) == 0 {
		_, err := fmt.Fprintln(w, "no plots yet: make one with pixplot plot")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tIMAGES\tLAYOUTS\tHOTSPOTS\tCREATED\tSECONDS\tFILTER")
	for _, p := range plots {
		status := p.Status
		switch {
		case p.Stale:
			status = "stale"
		case p.Status == catalog.PlotRunning && p.Progress != "":
			status += " (" + p.Progress + ")"
		case p.Status == catalog.PlotFailed:
			status += ": " + p.Error
		}
		var seconds float64
		for _, t := range p.Timings {
			seconds += t.Seconds
		}
		filter := p.Filter
		if filter == "" {
			filter = "(all images)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%.1f\t%s\n", p.Name, status, p.ImageCount, strings.Join(p.Layouts, ","),
			p.Hotspots, p.CreatedAt.Local().Format("2006-01-02 15:04"), seconds, filter)
	}
	return tw.Flush()
}
