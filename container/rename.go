package container

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Rename gives the container id (running or not) the name newName, as
// Docker's rename: the new name must be valid and free (ErrAlreadyExists
// names the container that has it); the old name is free afterwards. The
// container's hostname and its network's DNS name stay what they were at
// start, as with Docker until the next start.
func (s *Service) Rename(ctx context.Context, id, newName string) error {
	if err := checkName(newName); err != nil {
		return err
	}
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	r := e.snapshot()
	if r.Name == newName {
		return fmt.Errorf("renaming container %s: it is already named %q: %w", r.Name, newName, errdefs.ErrInvalidArgument)
	}
	// Reserve the name against creates in progress; the database's
	// transaction settles the race with stored containers.
	if err := s.takeName(newName); err != nil {
		return err
	}
	defer s.releaseName(newName)
	oldName := r.Name
	// The record is renamed first and stored from a fresh copy, so a
	// state change saved meanwhile (an exit) is not overwritten.
	e.update(func(rec *record) { rec.Name = newName })
	r = e.snapshot()
	if err := s.db.rename(r, oldName); err != nil {
		e.update(func(rec *record) { rec.Name = oldName })
		return err
	}
	s.mu.Lock()
	e.name = newName
	s.mu.Unlock()
	s.publish(r, "rename", nil)
	return nil
}

// rename stores r under its new name and frees oldName, in one
// transaction: a name taken meanwhile fails it with ErrAlreadyExists.
func (d *db) rename(r *record, oldName string) error {
	return d.withName(r, func(tx *bolt.Tx, names *bolt.Bucket, b []byte) error {
		if v := names.Get([]byte(oldName)); string(v) == r.ID {
			if err := names.Delete([]byte(oldName)); err != nil {
				return fmt.Errorf("renaming container %s: %w", r.ID, err)
			}
		}
		if err := names.Put([]byte(r.Name), []byte(r.ID)); err != nil {
			return fmt.Errorf("renaming container %s: %w", r.ID, err)
		}
		return tx.Bucket(bucketContainers).Put([]byte(r.ID), b)
	})
}
