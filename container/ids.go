package container

import (
	"crypto/rand"
	"encoding/hex"
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

// randomName returns an adjective_noun name, as Docker generates them.
func randomName() string {
	return pick(adjectives) + "_" + pick(nouns)
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
