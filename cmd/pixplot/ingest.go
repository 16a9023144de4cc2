package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/embed"
	"github.com/pixplot/pixplot/ingest"
	"github.com/pixplot/pixplot/modelstore"
)

// modelFlags choose and describe the embedding model.
type modelFlags struct {
	model  string
	custom modelstore.Custom
}

func (m *modelFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&m.model, "model", modelstore.DefaultModel, "built-in model ("+fmt.Sprint(modelstore.Builtins())+") or a PATH.onnx file (described by PATH.json or the flags below)")
	f.StringVar(&m.custom.Input, "model-input", "", ".onnx: input tensor name")
	f.StringVar(&m.custom.Output, "model-output", "", ".onnx: output tensor to embed")
	f.IntVar(&m.custom.Size, "model-size", 0, ".onnx: square input side in px")
	f.StringVar(&m.custom.Layout, "model-layout", "", ".onnx: NHWC or NCHW")
	f.StringVar(&m.custom.Scale, "model-scale", "", `.onnx: pixel scaling, "0,1", "-1,1" or "imagenet"`)
	f.StringVar(&m.custom.Name, "model-name", "", ".onnx: name recorded in the catalog")
}

func newIngestCmd(g *globalFlags) *cobra.Command {
	var models modelFlags
	var threads int
	opt := ingest.Options{}
	cmd := &cobra.Command{
		Use:   "ingest --images SPEC [--metadata FILE]",
		Short: "Add images, metadata, tags, thumbnails and embeddings to the catalog (incremental)",
		Long: `Ingest discovers images (SPEC is a folder, a glob with ** recursion, or a text file of
IIIF manifest or image URLs), decodes them, makes thumbnails, embeds them with the
model and stores everything in the catalog. Re-running skips unchanged files.

Exit status: 0 all went well; 3 some files or metadata rows failed (the rest were
stored, problems are in the ingest_errors table); 1 nothing could be done.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store := g.modelStore()
			model, err := store.Resolve(ctx, models.model, models.custom)
			if err != nil {
				return err
			}
			emb, err := store.Open(ctx, model, embed.Options{Threads: threads, BatchSize: opt.BatchSize})
			if err != nil {
				return err
			}
			defer emb.Close()
			cat, err := g.openCatalog(false)
			if err != nil {
				return err
			}
			defer cat.Close()
			opt.Progress = os.Stderr
			opt.IsTerminal = isatty.IsTerminal(os.Stderr.Fd())
			summary, err := ingest.Run(ctx, cat, emb, opt)
			fmt.Fprint(cmd.OutOrStdout(), summary.Text())
			if err != nil {
				return err
			}
			if code := summary.Outcome().ExitCode(); code != 0 {
				return &exitError{code: code, err: errors.New(summary.Outcome().String())}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Images, "images", "", "folder, glob (** recurses) or text file of IIIF manifest / image URLs")
	f.StringVar(&opt.Metadata, "metadata", "", "CSV, TSV or JSON metadata (PixPlot columns: filename, category, tags, description, permalink, year, label, lat, lng, x, y; others kept)")
	f.IntVar(&opt.Workers, "workers", 0, "images decoded at once (default: number of CPUs)")
	f.IntVar(&opt.BatchSize, "batch", 16, "images per model run")
	f.IntVar(&threads, "threads", 0, "model inference threads (default: number of CPUs)")
	f.BoolVar(&opt.Prune, "prune", false, "remove catalogued images under SPEC whose files are gone")
	f.Int64Var(&opt.MaxPixels, "max-pixels", 0, "refuse images with more pixels than this (decompression bombs; default 100 MP)")
	models.register(cmd)
	_ = cmd.MarkFlagRequired("images")
	return cmd
}
