package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/export"
)

func newExportCmd(g *globalFlags) *cobra.Command {
	var (
		out    string
		opt    export.Options
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "export --plot NAME --out DIR",
		Short: "Write plots as a static web site that any static file server can serve",
		Long: `Export writes the viewer and everything it shows of the named plots (manifest,
layouts, atlases, image metadata and thumbnails, and each image's nearest
neighbours among the exported images) into DIR. Serve DIR with any static web
server, e.g. python3 -m http.server -d DIR. The site is read-only: no new plots,
label edits or search by uploaded image. DIR must be new, empty, or an earlier
export (which is replaced).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := g.openCatalog(true)
			if err != nil {
				return err
			}
			defer cat.Close()
			opt.Log = os.Stderr
			sum, err := export.Write(cmd.Context(), cat, out, opt)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), sum)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d plot(s), %d images, %d files, %.1f MB\nview it with: python3 -m http.server -d %s\n",
				sum.Dir, sum.Plots, sum.Images, sum.Files, float64(sum.Bytes)/1e6, sum.Dir)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opt.Plots, "plot", nil, "plot to export (repeat for several)")
	f.StringVar(&out, "out", "", "directory to write the site into")
	f.IntVar(&opt.K, "similar", export.DefaultK, "similar images saved per image")
	f.BoolVar(&asJSON, "json", false, "print a JSON summary")
	_ = cmd.MarkFlagRequired("plot")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
