// Package volume keeps named volumes: directories under the data root
// that outlive the containers mounting them, as Docker's local driver
// keeps them.
//
// On disk, <dir>/<name>/ (private, 0700) holds volume.json, the volume's
// record written by temporary name and rename, and _data/, the content
// that containers mount. A directory without a readable volume.json was
// left by a crash between mkdir and the record's write, or between the
// record's removal and the directory's: Open removes it. Which containers
// use a volume is not stored here: the container service tells the Store
// (Acquire, Release) as it creates, re-adopts and removes containers, so
// that the count is rebuilt from the container records at every start.
package volume
