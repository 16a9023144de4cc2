package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/server"
)

func newServeCmd(g *globalFlags) *cobra.Command {
	var (
		addr                            string
		readOnly, allowWrites, openPage bool
		modelFile                       string
		maxUpload                       int64
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--read-only] [--open]",
		Short: "Serve the catalog's plots in the web viewer, with its JSON API",
		Long: `Serve runs the web viewer and its JSON API (viewer/API.md) over the catalog.

Writes (new plots, hotspot labels, and similarity search by uploaded image) are
refused with 403 on a --read-only server, and on any address other machines can
reach (not localhost or 127.0.0.1) unless --allow-writes. Ctrl-C stops it
cleanly: requests in flight finish, plots being computed end as failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			refuse, reason := server.WriteAccess(addr, readOnly, allowWrites)
			// --read-only promises not to write, not even a schema upgrade
			cat, err := catalog.Open(g.db, catalog.Options{ReadOnly: refuse, Upgrade: refuse && !readOnly})
			if err != nil {
				return err
			}
			defer cat.Close() // after Serve: checkpoints the WAL
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv := server.New(cat, server.Options{
				ReadOnly: refuse, ReadOnlyReason: reason,
				MaxUploadBytes: maxUpload, Models: g.modelStore(), ModelFile: modelFile,
				Plot: server.RunPlot, Log: cmd.ErrOrStderr(),
			})
			if m, err := cat.ActiveModel(ctx); err == nil {
				go func() { _ = cat.PrepareSimilar(ctx, m.ID) }() // build the search index before the first query
			}
			url := "http://" + ln.Addr().String() + "/"
			fmt.Fprintf(cmd.OutOrStdout(), "serving %s at %s%s (Ctrl-C to stop)\n", cat.Path(), url, readOnlyNote(reason))
			if openPage {
				openBrowser(url)
			}
			return srv.Serve(ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (HOST:PORT)")
	f.BoolVar(&readOnly, "read-only", false, "refuse every write with 403 (the catalog is opened read-only)")
	f.BoolVar(&allowWrites, "allow-writes", false, "accept writes on an address other machines can reach")
	f.BoolVar(&openPage, "open", false, "open the viewer in the default browser")
	f.StringVar(&modelFile, "model", "", "the .onnx file of the catalog's model, when it is not built in (for search by uploaded image)")
	f.Int64Var(&maxUpload, "max-upload", server.DefaultMaxUploadBytes, "largest image accepted for search by upload, in bytes (413 past it)")
	return cmd
}

func readOnlyNote(reason string) string {
	if reason == "" {
		return ""
	}
	return ", read-only: " + reason
}

// openBrowser asks the desktop to open url; failing is not an error.
func openBrowser(url string) {
	name, args := "xdg-open", []string{url}
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err == nil {
		go cmd.Wait()
	}
}
