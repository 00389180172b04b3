package container

import "github.com/container-runtime/container-runtime/api"

// withLabels puts a container's labels among its event's attributes, as
// Docker's container events carry them: clients follow their own
// containers with a label filter (Compose follows its project's, and
// without the labels `compose up` never sees its containers die). The
// event's own attributes (signal, execID...) win over a label of the same
// key, as do the name, image and exit code that are added from the event's
// fields.
func withLabels(e *api.Event, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	if e.Attributes == nil {
		e.Attributes = make(map[string]string, len(labels))
	}
	for k, v := range labels {
		if _, set := e.Attributes[k]; !set {
			e.Attributes[k] = v
		}
	}
}
