package container

import "strings"

// checkSysctlValue refuses a sysctl value with a line break or a control
// character. The runtime writes the value as is to the parameter's file
// under /proc/sys, so a value never names another parameter; but a value
// built to smuggle one past a parser that splits on separators (CRI-O's
// CVE-2022-0811, "1+kernel.core_pattern=|..."; a newline for line-based
// formats) is never a legitimate value, and a kernel that reads the
// first number and ignores the rest would hide it. Tabs and spaces stay:
// ranges such as net.ipv4.ip_local_port_range use them.
func checkSysctlValue(key, value string) error {
	if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return invalidf("sysctl %q: the value %q holds a line break or a control character", key, value)
	}
	return nil
}
