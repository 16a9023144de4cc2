package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/catalog"
)

func newInfoCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show what a catalog holds: images, tags, vectors per model, plots, errors, file size",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := g.openCatalog(true)
			if err != nil {
				return err
			}
			defer cat.Close()
			info, err := cat.Info(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), info)
			}
			printInfo(cmd.OutOrStdout(), info)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// openCatalog opens the --db file; a read-only open refuses to create one.
// openCatalog opens --db; read-only commands still upgrade a file written by
// an older pixplot, except `serve --read-only`, which promises not to write.
func (g *globalFlags) openCatalog(readOnly bool) (*catalog.Catalog, error) {
	return catalog.Open(g.db, catalog.Options{ReadOnly: readOnly, Upgrade: readOnly})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printInfo(w io.Writer, info catalog.Info) {
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
	fmt.Fprintf(w, "errors      %d\n", info.Errors)
}
