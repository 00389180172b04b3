package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// The values --format templates of ps and images see: Docker's field
// names (docker/cli's formatter contexts), each already a string as
// Docker renders it, so that `--format json` prints Docker's objects.

// psRow is one container of ps as Docker's templates see it.
type psRow struct {
	Command      string
	CreatedAt    string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Names        string
	Networks     string
	Ports        string
	RunningFor   string
	Size         string
	State        string
	Status       string

	labels map[string]string
}

// Label is the value of one label ({{.Label "k"}}), "" when unset.
func (r psRow) Label(key string) string { return r.labels[key] }

// Name is the container's name: the seed's {{.Name}}, kept for scripts
// written before Docker's {{.Names}}.
func (r psRow) Name() string { return r.Names }

// newPSRow renders s.
func newPSRow(s api.ContainerSummary, trunc bool, now time.Time) psRow {
	id := s.ID
	if trunc {
		id = shortID(id)
	}
	var names []string
	volumes := 0
	for _, m := range s.Mounts {
		name := m.Source
		if m.Type == "volume" {
			volumes++
			name = m.Name // Docker shows a volume by name
		}
		if trunc {
			name = ellipsis(name, 15)
		}
		names = append(names, name)
	}
	return psRow{
		Command:      quoteCommand(s.Command, trunc),
		CreatedAt:    createdAt(s.Created),
		ID:           id,
		Image:        s.Image,
		Labels:       joinLabels(s.Labels),
		LocalVolumes: strconv.Itoa(volumes),
		Mounts:       strings.Join(names, ","),
		Names:        s.Name,
		Networks:     s.Network,
		Ports:        displayPorts(s.Ports),
		RunningFor:   ago(now, s.Created),
		// Docker prints 0B unless sizes were computed (ps -s).
		Size:   containerSize(s),
		State:  s.State,
		Status: status(s),
		labels: s.Labels,
	}
}

// psHeader are the column names of ps's table directive.
var psHeader = headerRow{
	"Command": "COMMAND", "CreatedAt": "CREATED AT", "ID": "CONTAINER ID", "Image": "IMAGE",
	"Labels": "LABELS", "LocalVolumes": "LOCAL VOLUMES", "Mounts": "MOUNTS", "Names": "NAMES",
	"Networks": "NETWORKS", "Ports": "PORTS", "RunningFor": "CREATED", "Size": "SIZE",
	"State": "STATE", "Status": "STATUS", "Name": "NAME",
}

// imageRow is one name of an image as Docker's images templates see it.
type imageRow struct {
	Containers   string
	CreatedAt    string
	CreatedSince string
	Digest       string
	ID           string
	Repository   string
	SharedSize   string
	Size         string
	Tag          string
	UniqueSize   string
	VirtualSize  string
}

// imageRows renders im: one row per name, "<none>" for an unnamed image.
func imageRows(im api.ImageSummary, trunc bool, now time.Time) []imageRow {
	id := im.ID
	if trunc {
		id = shortID(id)
	}
	names := im.Names
	if len(names) == 0 {
		names = []string{"<none>:<none>"}
	}
	var rows []imageRow
	for _, n := range names {
		repo, tag := splitName(n)
		rows = append(rows, imageRow{
			Containers:   "N/A",
			CreatedAt:    createdAt(im.Created),
			CreatedSince: ago(now, im.Created),
			Digest:       "<none>",
			ID:           id,
			Repository:   repo,
			SharedSize:   "N/A",
			Size:         humanSize(im.Size),
			Tag:          tag,
			UniqueSize:   "N/A",
			VirtualSize:  humanSize(im.Size),
		})
	}
	return rows
}

// imagesHeader are the column names of images' table directive.
var imagesHeader = headerRow{
	"Containers": "CONTAINERS", "CreatedAt": "CREATED AT", "CreatedSince": "CREATED",
	"Digest": "DIGEST", "ID": "IMAGE ID", "Repository": "REPOSITORY", "SharedSize": "SHARED SIZE",
	"Size": "SIZE", "Tag": "TAG", "UniqueSize": "UNIQUE SIZE", "VirtualSize": "VIRTUAL SIZE",
}

// headerRow is what a table directive's template is applied to for the
// header line: each field name gives its column's name.
type headerRow map[string]string

// Label is the header of a {{.Label "k"}} column.
func (headerRow) Label(string) string { return "LABEL" }

// createdAt prints a creation time as Docker's CreatedAt does: Go's
// time.Time.String of the second, in the local zone.
func createdAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return time.Unix(t.Unix(), 0).String()
}

// joinLabels prints labels as Docker's {{.Labels}}: k=v, comma-separated
// (sorted here, so that the output is stable).
func joinLabels(labels map[string]string) string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		kv = append(kv, k+"="+labels[k])
	}
	return strings.Join(kv, ",")
}

// displayPorts prints published ports as Docker's {{.Ports}}: sorted,
// "0.0.0.0:8080->80/tcp", consecutive ports of one address and protocol
// folded into ranges ("0.0.0.0:8080-8081->80-81/tcp"), ", " between.
func displayPorts(ports []api.PortBinding) string {
	ps := slices.Clone(ports)
	for i := range ps {
		if ps[i].HostIP == "" {
			ps[i].HostIP = "0.0.0.0"
		}
		if ps[i].Proto == "" {
			ps[i].Proto = "tcp"
		}
	}
	slices.SortStableFunc(ps, func(a, b api.PortBinding) int {
		if c := strings.Compare(a.HostIP, b.HostIP); c != 0 {
			return c
		}
		if c := strings.Compare(a.Proto, b.Proto); c != 0 {
			return c
		}
		return int(a.ContainerPort) - int(b.ContainerPort)
	})
	var out []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1].HostIP == ps[i].HostIP && ps[j+1].Proto == ps[i].Proto &&
			ps[j+1].ContainerPort == ps[j].ContainerPort+1 && ps[j+1].HostPort == ps[j].HostPort+1 {
			j++
		}
		host, ctr := portRange(ps[i].HostPort, ps[j].HostPort), portRange(ps[i].ContainerPort, ps[j].ContainerPort)
		out = append(out, fmt.Sprintf("%s:%s->%s/%s", ps[i].HostIP, host, ctr, ps[i].Proto))
		i = j + 1
	}
	return strings.Join(out, ", ")
}

func portRange(first, last uint16) string {
	if first == last {
		return strconv.Itoa(int(first))
	}
	return fmt.Sprintf("%d-%d", first, last)
}
