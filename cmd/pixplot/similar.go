package main

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/ingest"
)

func newSimilarCmd(g *globalFlags) *cobra.Command {
	var (
		imagePath, filename, modelFile string
		id                             int64
		k                              int
		asJSON                         bool
	)
	cmd := &cobra.Command{
		Use:   "similar (--image PATH | --id N | --filename NAME)",
		Short: "List the images nearest to one image by embedding",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cat, err := g.openCatalog(true)
			if err != nil {
				return err
			}
			defer cat.Close()
			model, err := cat.ActiveModel(ctx)
			if err != nil {
				return fmt.Errorf("%s has no embeddings yet: run pixplot ingest first (%w)", g.db, err)
			}
			var query []float32
			opt := catalog.SimilarOptions{}
			switch {
			case imagePath != "":
				query, err = embedFile(cmd, g, model, modelFile, imagePath)
			case filename != "":
				opt.Exclude, err = imageIDByFilename(cmd, cat, filename)
				if err == nil {
					query, err = cat.Vector(ctx, model.ID, opt.Exclude)
				}
			case id != 0:
				opt.Exclude = id
				query, err = cat.Vector(ctx, model.ID, id)
			default:
				return errors.New("give one of --image, --id or --filename")
			}
			if err != nil {
				return err
			}
			nearest, err := cat.Similar(ctx, model.ID, query, k, opt)
			if err != nil {
				return err
			}
			if nearest == nil {
				nearest = []pixplot.Neighbor{}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), nearest)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tDISTANCE\tFILENAME")
			for _, n := range nearest {
				fmt.Fprintf(tw, "%d\t%.4f\t%s\n", n.ID, n.Distance, n.Filename)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&imagePath, "image", "", "an image file (need not be in the catalog: it is embedded now)")
	f.Int64Var(&id, "id", 0, "a catalogued image's id")
	f.StringVar(&filename, "filename", "", "a catalogued image's file name (or relative path)")
	f.IntVarP(&k, "k", "k", 20, "how many neighbours")
	f.BoolVar(&asJSON, "json", false, "print a JSON array of {id, filename, distance}")
	f.StringVar(&modelFile, "model", "", "the .onnx file of the catalog's model, when it is not built in")
	cmd.MarkFlagsMutuallyExclusive("image", "id", "filename")
	return cmd
}

// embedFile embeds an image file with the model the catalog's vectors came from.
func embedFile(cmd *cobra.Command, g *globalFlags, model pixplot.Model, modelFile, path string) ([]float32, error) {
	store := g.modelStore()
	located, err := store.Locate(cmd.Context(), model, modelFile)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	emb, err := store.Open(cmd.Context(), located, embed.Options{BatchSize: 1})
	if err != nil {
		return nil, err
	}
	defer emb.Close()
	vec, err := ingest.EmbedImage(emb, data, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vec, nil
}

// imageIDByFilename finds the one image with that relative path or file name.
func imageIDByFilename(cmd *cobra.Command, cat *catalog.Catalog, name string) (int64, error) {
	if id, err := cat.ImageIDByPath(cmd.Context(), name); err == nil {
		return id, nil
	}
	ids, err := cat.ImageIDsByFilename(cmd.Context(), name)
	switch {
	case err != nil:
		return 0, err
	case len(ids) == 0:
		return 0, fmt.Errorf("no image named %q in the catalog", name)
	case len(ids) > 1:
		return 0, fmt.Errorf("%d images are named %q (ids %v): give --id or the relative path", len(ids), name, ids)
	}
	return ids[0], nil
}
