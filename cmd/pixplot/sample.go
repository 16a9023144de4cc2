package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/samples"
)

func newSampleCmd(g *globalFlags) *cobra.Command {
	var out string
	opt := samples.Options{}
	cmd := &cobra.Command{
		Use:       "sample " + strings.Join(samples.Names(), "|") + " --out DIR",
		Short:     "Fetch a real sample collection with a metadata.csv",
		Args:      cobra.ExactArgs(1),
		ValidArgs: samples.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt.CacheDir = g.cacheDir
			opt.Progress = os.Stderr
			s, err := samples.Fetch(cmd.Context(), args[0], out, opt)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d images in %s (%d categories), metadata in %s\nsource: %s\nlicence: %s\n",
				s.Images, s.Dir, len(s.Categories), samples.MetadataFile, s.Source, s.License)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write the images and metadata.csv into (must be empty or absent)")
	cmd.Flags().IntVar(&opt.Limit, "limit", 0, "at most this many images, balanced across categories (0 = all)")
	cmd.Flags().Int64Var(&opt.Seed, "seed", 1, "which images --limit picks")
	cmd.Flags().BoolVar(&opt.SkinTones, "skin-tones", false, "emoji: include the skin-tone variants")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
