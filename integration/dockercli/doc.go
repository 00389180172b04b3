// Package dockercli drives container-runtimed with clients nobody here
// wrote: the stock docker CLI (Debian's docker.io) pointed at the
// daemon's socket with DOCKER_HOST, and raw Docker Engine API requests.
// Every test fails when the client gets an error or a wrong answer.
package dockercli
