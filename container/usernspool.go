package container

import (
	"fmt"
	"math"

	"github.com/container-runtime/container-runtime/errdefs"
)

// A container with a private user namespace (--userns private) maps its
// uids and gids 0..65535 to a host range of its own, so that the root of
// one such container is nobody to another: a process that escaped one
// container finds the others' files owned by ids it does not have.
//
// The ranges are taken from a pool (Config.Userns): range i starts at
// Start + i*usernsSize. The range a container holds is in its record, so
// it survives daemon restarts, and it is free again once the record is
// gone. Each container's layers are mounted idmapped to its own range
// (snapshot.MountIdmapped), so sharing image layers needs no chown.

// usernsSize is the size of every container's id range: the 16-bit ids a
// distribution's files use.
const usernsSize = 65536

// usernsHostID is the default pool's first range, and the range of the
// containers recorded before ranges were allocated (their record has none).
const usernsHostID = 100000

// UsernsPool is where private user namespaces' host id ranges come from.
type UsernsPool struct {
	// Start is the first host id of the pool (default 100000). It must
	// not overlap the host's own users (/etc/subuid ranges included).
	Start uint32
	// Ranges is how many containers with a private user namespace can
	// exist at once (default 1000: host ids up to Start+65,536,000).
	Ranges int
}

// withDefaults fills the zero fields and checks that the pool fits in
// 32-bit ids.
func (p UsernsPool) withDefaults() (UsernsPool, error) {
	if p.Start == 0 {
		p.Start = usernsHostID
	}
	if p.Ranges == 0 {
		p.Ranges = 1000
	}
	if p.Ranges < 0 || uint64(p.Start)+uint64(p.Ranges)*usernsSize > math.MaxUint32 {
		return p, fmt.Errorf("user namespace pool from %d with %d ranges of %d ids does not fit in 32-bit ids: %w",
			p.Start, p.Ranges, usernsSize, errdefs.ErrInvalidArgument)
	}
	return p, nil
}

// usernsRange is the first host id of the container's range, or 0 when it
// does not have a private user namespace.
func (r *record) usernsRange() uint32 {
	switch {
	case r.Config.Userns != "private":
		return 0
	case r.UsernsHostID == 0:
		return usernsHostID
	}
	return r.UsernsHostID
}

// allocUserns takes the lowest free range of the pool for a container
// being created, and returns a function that gives it back to the pool's
// bookkeeping: call it once the container's record is in s.containers
// (which then holds the range) or the create failed.
func (s *Service) allocUserns() (uint32, func(), error) {
	s.usernsMu.Lock()
	defer s.usernsMu.Unlock()
	used := map[uint32]bool{}
	for start := range s.usernsReserved {
		used[start] = true
	}
	for _, e := range s.entries() {
		if start := e.snapshot().usernsRange(); start != 0 {
			used[start] = true
		}
	}
	for i := range s.userns.Ranges {
		start := s.userns.Start + uint32(i)*usernsSize
		if used[start] {
			continue
		}
		s.usernsReserved[start] = true
		release := func() {
			s.usernsMu.Lock()
			delete(s.usernsReserved, start)
			s.usernsMu.Unlock()
		}
		return start, release, nil
	}
	return 0, nil, fmt.Errorf("all %d user namespace ranges from host id %d are in use: remove a container with --userns private: %w",
		s.userns.Ranges, s.userns.Start, errdefs.ErrConflict)
}
