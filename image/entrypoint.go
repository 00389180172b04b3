package image

// An image's ENTRYPOINT has one of two meanings, recorded in its config
// as the label EntrypointMeaningLabel so that it survives push/pull and
// save/load between our engines:
//
//   - EntrypointSeed: the seed's; each ENTRYPOINT line of the Dockerfile
//     is a startup command (StartupCommands), run to completion before
//     the target at every start;
//   - EntrypointDocker: Docker's; the config's Entrypoint followed by its
//     Cmd is the process.
//
// The container service runs both the same way (startup commands first,
// then Entrypoint + Cmd); the meaning decides what the builder made of the
// Dockerfile's ENTRYPOINT lines, and inspect shows it.
const (
	EntrypointSeed   = "seed"
	EntrypointDocker = "docker"
)

// EntrypointMeaningLabel is the config label that records which meaning
// an image built here gave its ENTRYPOINT lines.
const EntrypointMeaningLabel = "org.container-runtime.entrypoint-meaning"

// EntrypointMeaning returns the meaning img's ENTRYPOINT carries: the
// label's when set; for images without it, those made before the label
// existed are seed images when they have startup commands, and every
// other image (pulled, loaded, imported) has Docker's.
func (img Image) EntrypointMeaning() string {
	switch v := img.Config.Config.Labels[EntrypointMeaningLabel]; v {
	case EntrypointSeed, EntrypointDocker:
		return v
	}
	if len(img.StartupCommands) > 0 {
		return EntrypointSeed
	}
	return EntrypointDocker
}
