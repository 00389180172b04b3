// Command container-runtime is a placeholder until the client/daemon issue lands: it
// says so and exits non-zero, so no script mistakes it for the product.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "container-runtime: not implemented yet; the low-level runtime is container-runtime-oci")
	os.Exit(125)
}
