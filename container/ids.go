package container

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"

	"github.com/container-runtime/container-runtime/errdefs"
)

// validName is Docker's rule for container names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// newID returns 64 random hex digits. An id that is all digits is
// re-drawn, as Docker does, so that a short prefix never reads as a
// number.
func newID() (string, error) {
	for {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("generating a container id: %w", err)
		}
		id := hex.EncodeToString(b)
		for _, c := range id[:12] {
			if c >= 'a' {
				return id, nil
			}
		}
	}
}

// checkName validates a user-given name.
func checkName(name string) error {
	if len(name) > 253 || !validName.MatchString(name) {
		return fmt.Errorf("invalid container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed: %w", name, errdefs.ErrInvalidArgument)
	}
	return nil
}

// plainNameTries is how many adjective_noun names an unnamed create tries
// before it appends a digit to them (Docker's namesgenerator does the same
// from its second try); digitNameTries more are tried with a digit, and
// then the container's id, which is unique, is its name.
const (
	plainNameTries = 3
	digitNameTries = 8
)

// randomName returns an adjective_noun name, as Docker generates them. From
// try plainNameTries on, a random digit is appended: the 11,235 plain names
// run short when many containers exist.
func randomName(try int) string {
	name := pick(adjectives) + "_" + pick(nouns)
	if try >= plainNameTries {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err == nil {
			name += n.String()
		}
	}
	return name
}

// reserveName takes a name for the create of container id until release
// is called (after the record is stored, or on failure). A given name is
// taken as it is (Create has checked it): in use by a stored container or by another
// create in progress, it fails with ErrAlreadyExists. An empty name is
// generated: a free adjective_noun name, with a digit after a few
// collisions, and the container's id as the last resort, so an unnamed
// create never fails for its name.
func (s *Service) reserveName(id, name string) (_ string, release func(), _ error) {
	if name != "" {
		if err := s.takeName(name); err != nil {
			return "", nil, err
		}
		return name, func() { s.releaseName(name) }, nil
	}
	for try := 0; try < plainNameTries+digitNameTries; try++ {
		name = randomName(try)
		err := s.takeName(name)
		if err == nil {
			return name, func() { s.releaseName(name) }, nil
		}
		if !errors.Is(err, errdefs.ErrAlreadyExists) {
			return "", nil, err
		}
	}
	// No other container can have this one's id as its name: ids are
	// unique and a given name never has 64 hex digits' worth of luck.
	if err := s.takeName(id); err != nil {
		return "", nil, err
	}
	return id, func() { s.releaseName(id) }, nil
}

// takeName marks name as taken by a create in progress, unless a stored
// container or another create has it.
func (s *Service) takeName(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.creating[name] {
		return fmt.Errorf("the container name %q is already in use by a create in progress: %w", name, errdefs.ErrAlreadyExists)
	}
	if id, err := s.db.nameOwner(name); err != nil {
		return err
	} else if id != "" {
		return fmt.Errorf("the container name %q is already in use by container %.12s: %w", name, id, errdefs.ErrAlreadyExists)
	}
	if s.creating == nil {
		s.creating = map[string]bool{}
	}
	s.creating[name] = true
	return nil
}

// releaseName ends a reservation of takeName.
func (s *Service) releaseName(name string) {
	s.mu.Lock()
	delete(s.creating, name)
	s.mu.Unlock()
}

func pick(list []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	if err != nil {
		return list[0]
	}
	return list[n.Int64()]
}

// The words of generated names. They are read-only after compilation.
var (
	adjectives = []string{
		"admiring", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful",
		"bold", "boring", "brave", "busy", "charming", "clever", "compassionate",
		"competent", "confident", "cool", "cranky", "crazy", "dazzling", "determined",
		"distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant",
		"eloquent", "epic", "exciting", "fervent", "festive", "flamboyant", "focused",
		"friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious", "great",
		"happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring",
		"intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing",
		"loving", "lucid", "magical", "modest", "musing", "mystifying", "naughty",
		"nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful",
		"pedantic", "pensive", "practical", "priceless", "quirky", "quizzical",
		"recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp", "silly",
		"sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender",
		"thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous",
		"wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
	}
	nouns = []string{
		"agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen",
		"bartik", "bell", "bhabha", "blackwell", "bohr", "booth", "borg", "bose", "brahmagupta",
		"brattain", "brown", "carson", "cerf", "chandrasekhar", "curie", "darwin", "diffie",
		"dijkstra", "einstein", "elion", "engelbart", "euclid", "euler", "fermat", "fermi",
		"feynman", "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton",
		"hawking", "heisenberg", "hertz", "hodgkin", "hopper", "hypatia", "jennings",
		"johnson", "kalam", "kepler", "khorana", "knuth", "kowalevski", "lalande", "lamport",
		"leakey", "lovelace", "lumiere", "mayer", "mccarthy", "mcclintock", "meitner",
		"mendel", "merkle", "mirzakhani", "montalcini", "morse", "napier", "newton",
		"nobel", "noether", "noyce", "pare", "pascal", "pasteur", "payne", "perlman", "pike",
		"poincare", "ptolemy", "raman", "ramanujan", "ride", "ritchie", "rosalind",
		"saha", "sammet", "shannon", "shockley", "sinoussi", "stonebraker", "swanson",
		"tesla", "thompson", "torvalds", "turing", "varahamihira", "visvesvaraya",
		"volhard", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright",
		"yalow", "yonath",
	}
)
