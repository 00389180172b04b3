package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/version"
	"github.com/container-runtime/container-runtime/runtime"
)

func newSpecCommand() *cobra.Command {
	var (
		bundle   string
		rootless bool
	)
	cmd := &cobra.Command{
		Use:   "spec [flags]",
		Short: "Write a starting config.json into the bundle",
		Long: "Write a config.json for a bundle whose root file system is ./rootfs: a\n" +
			"terminal running sh with Docker's default capabilities, mounts and masked paths.\n" +
			"An existing config.json is not overwritten.",
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rootless {
				return fmt.Errorf("spec --rootless is not supported: %w", errors.ErrUnsupported)
			}
			if bundle == "" {
				bundle = "."
			}
			path := filepath.Join(bundle, "config.json")
			data, err := json.MarshalIndent(runtime.DefaultSpec(), "", "\t")
			if err != nil {
				return err
			}
			// O_EXCL: refuse, as runc does, to overwrite a config.
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s exists; remove it first: %w", path, errdefs.ErrAlreadyExists)
			}
			if err != nil {
				return fmt.Errorf("writing the spec: %w", err)
			}
			if _, err := f.Write(append(data, '\n')); err != nil {
				f.Close()
				os.Remove(path)
				return fmt.Errorf("writing %s: %w", path, err)
			}
			return f.Close()
		},
	}
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "", "bundle directory (default: the current directory)")
	cmd.Flags().BoolVar(&rootless, "rootless", false, "make a spec for a rootless container (not supported)")
	return cmd
}

func newFeaturesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "features",
		Short: "Print what this runtime supports, as OCI features JSON",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := runtime.Features()
			f.Annotations = map[string]string{
				"org.container-runtime.version": version.Version,
				"org.container-runtime.commit":  version.Revision(),
			}
			// Indented with four spaces, as runc prints it.
			data, err := json.MarshalIndent(f, "", "    ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", data)
			return err
		},
	}
}
