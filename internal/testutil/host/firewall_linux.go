package host

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// Firewall is the part of the host's packet filter that a peer daemon
// (dockerd) would change, by the tool that printed it.
type Firewall map[string]string

// ReadFirewall dumps the xtables (iptables-save, ip6tables-save: the
// tables dockerd's iptables calls write) and, from `nft list ruleset`,
// the tables named like xtables' and any table that mentions docker.
// Other nftables tables are left out: other packages' tests add their
// own while this one runs. Comment lines of iptables-save carry the time
// and are dropped. A tool that is not installed is left out.
func ReadFirewall() (Firewall, error) {
	fw := Firewall{}
	tools := [][]string{{"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"}}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool[0]); err != nil {
			continue
		}
		b, err := exec.Command(tool[0], tool[1:]...).Output()
		if err != nil {
			return nil, fmt.Errorf("reading the firewall with %s: %w", tool[0], err)
		}
		out := string(b)
		if tool[0] == "nft" {
			out = xtablesLike(out)
		}
		var kept []string
		for line := range strings.SplitSeq(out, "\n") {
			if !strings.HasPrefix(line, "#") {
				kept = append(kept, line)
			}
		}
		fw[tool[0]] = strings.Join(kept, "\n")
	}
	return fw, nil
}

// xtablesLike keeps the tables of an nft ruleset that iptables would
// make (filter, nat, mangle, raw, security) or that mention docker.
func xtablesLike(ruleset string) string {
	var kept []string
	for _, block := range strings.SplitAfter(ruleset, "\n}\n") {
		fields := strings.Fields(block)
		if len(fields) < 3 || fields[0] != "table" {
			continue
		}
		switch {
		case slices.Contains([]string{"filter", "nat", "mangle", "raw", "security"}, fields[2]),
			strings.Contains(strings.ToLower(block), "docker"):
			kept = append(kept, block)
		}
	}
	return strings.Join(kept, "")
}

// Diff describes how now differs from fw, tool by tool; "" when the
// same.
func (fw Firewall) Diff(now Firewall) string {
	var b strings.Builder
	for _, tool := range []string{"nft", "iptables-save", "ip6tables-save"} {
		if was, ok := fw[tool]; ok && now[tool] != was {
			fmt.Fprintf(&b, "%s output changed:\nbefore:\n%s\nafter:\n%s\n", tool, was, now[tool])
		}
	}
	return b.String()
}
