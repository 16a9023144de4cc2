package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/catalog"
)

func newInfoCmd(g *globalFlags) *cobra.Command {
	return reportCmd(g, &cobra.Command{
		Use:   "info",
		Short: "Show what a catalog holds: images, tags, vectors per model, plots, errors, file size",
	}, (*catalog.Catalog).Info, printInfo)
}

// reportCmd completes cmd as a command that reads one report from the
// catalog and prints it as text, or as JSON with --json.
func reportCmd[T any](g *globalFlags, cmd *cobra.Command, read func(*catalog.Catalog, context.Context) (T, error), print func(io.Writer, T) error) *cobra.Command {
	var asJSON bool
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cat, err := g.openCatalog(true)
		if err != nil {
			return err
		}
		defer cat.Close()
		report, err := read(cat, cmd.Context())
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(cmd.OutOrStdout(), report)
		}
		return print(cmd.OutOrStdout(), report)
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// openCatalog opens --db. A read-only open never creates the file, but it
// still upgrades one written by an older pixplot (only `serve --read-only`,
// which promises not to write, opens without that).
func (g *globalFlags) openCatalog(readOnly bool) (*catalog.Catalog, error) {
	return catalog.Open(g.db, catalog.Options{ReadOnly: readOnly, Upgrade: readOnly})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printInfo(w io.Writer, info catalog.Info) error {
	fmt.Fprintf(w, "file        %s (%.1f MB, schema %d)\n", info.Path, float64(info.FileBytes)/1e6, info.SchemaVersion)
	fmt.Fprintf(w, "images      %d\n", info.Images)
	fmt.Fprintf(w, "tags        %d\n", info.Tags)
	fmt.Fprintf(w, "thumbnails  %d\n", info.Thumbnails)
	for _, m := range info.Models {
		active := ""
		if m.Active {
			active = " (active)"
		}
		fmt.Fprintf(w, "vectors     %d × %d-d  %s/%s%s\n", m.Vectors, m.Model.Dims, m.Model.Name, m.Model.Output, active)
	}
	fmt.Fprintf(w, "plots       %d\n", info.Plots)
	_, err := fmt.Fprintf(w, "errors      %d\n", info.Errors)
	return err
}
