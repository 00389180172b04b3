package network

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeUpstream is a DNS server on 127.0.0.1 (UDP and TCP, one port)
// that answers NXDOMAIN to everything and counts the queries: the
// responders' upstream in tests, so that no query leaves the machine.
type fakeUpstream struct {
	addr    netip.AddrPort
	queries atomic.Int32
}

func newFakeUpstream(t testing.TB) *fakeUpstream {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	u := &fakeUpstream{addr: c.LocalAddr().(*net.UDPAddr).AddrPort()}
	l, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(u.addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	answer := func(q []byte) []byte {
		var msg dnsmessage.Message
		if msg.Unpack(q) != nil {
			return nil
		}
		u.queries.Add(1)
		return reply(msg, dnsmessage.RCodeNameError, nil)
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if b := answer(buf[:n]); b != nil {
				c.WriteToUDPAddrPort(b, from)
			}
		}
	}()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				q, err := readTCPMessage(conn)
				if err == nil {
					writeTCPMessage(conn, answer(q))
				}
			}()
		}
	}()
	return u
}

// fakeNames is a network with two members.
type fakeNames struct{ up []netip.AddrPort }

func (fakeNames) lookupName(_ netip.Addr, name string) []netip.Addr {
	switch name {
	case "alpha", "web":
		return []netip.Addr{netip.MustParseAddr("127.0.0.2")}
	case "beta":
		return []netip.Addr{netip.MustParseAddr("127.0.0.3")}
	}
	return nil
}

func (fakeNames) lookupAddr(ip netip.Addr) (string, bool) {
	if ip == netip.MustParseAddr("127.0.0.2") {
		return "alpha", true
	}
	return "", false
}

func (f fakeNames) upstreams(netip.Addr) []netip.AddrPort { return f.up }

// query asks server one question over network ("udp" or "tcp").
func query(t *testing.T, network string, server netip.AddrPort, name string, typ dnsmessage.Type) dnsmessage.Message {
	t.Helper()
	q := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: 4242, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET}},
	}
	b, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout(network, server.String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var resp []byte
	if network == "tcp" {
		if err := writeTCPMessage(c, b); err != nil {
			t.Fatal(err)
		}
		if resp, err = readTCPMessage(c); err != nil {
			t.Fatal(err)
		}
	} else {
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		resp = buf[:n]
	}
	var m dnsmessage.Message
	if err := m.Unpack(resp); err != nil {
		t.Fatal(err)
	}
	if m.ID != 4242 || !m.Response {
		t.Fatalf("answer %+v does not match the query", m.Header)
	}
	return m
}

func answersOf(m dnsmessage.Message) []string {
	var out []string
	for _, a := range m.Answers {
		switch b := a.Body.(type) {
		case *dnsmessage.AResource:
			out = append(out, netip.AddrFrom4(b.A).String())
		case *dnsmessage.PTRResource:
			out = append(out, b.PTR.String())
		}
	}
	return out
}

func TestResponder(t *testing.T) {
	up := newFakeUpstream(t)
	r, err := listenResponder(netip.MustParseAddr("127.0.0.1"), netip.MustParsePrefix("127.0.0.0/8"), fakeNames{up: []netip.AddrPort{up.addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	udp := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), r.udpPort)
	tcp := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), r.tcpPort)
	for _, tc := range []struct {
		name    string
		q       string
		typ     dnsmessage.Type
		rcode   dnsmessage.RCode
		answers []string
		fwd     bool
	}{
		{"member", "alpha.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, []string{"127.0.0.2"}, false},
		{"alias, any case", "WEB.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, []string{"127.0.0.2"}, false},
		{"member, AAAA", "beta.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, nil, false},
		{"reverse", "2.0.0.127.in-addr.arpa.", dnsmessage.TypePTR, dnsmessage.RCodeSuccess, []string{"alpha."}, false},
		{"unknown", "example.test.", dnsmessage.TypeA, dnsmessage.RCodeNameError, nil, true},
	} {
		for _, network := range []string{"udp", "tcp"} {
			t.Run(tc.name+"/"+network, func(t *testing.T) {
				server := udp
				if network == "tcp" {
					server = tcp
				}
				before := up.queries.Load()
				m := query(t, network, server, tc.q, tc.typ)
				if m.RCode != tc.rcode || !slices.Equal(answersOf(m), tc.answers) {
					t.Errorf("%s %s: rcode %v, answers %v; want %v, %v", tc.q, tc.typ, m.RCode, answersOf(m), tc.rcode, tc.answers)
				}
				if forwarded := up.queries.Load() != before; forwarded != tc.fwd {
					t.Errorf("forwarded to the upstream: %v, want %v", forwarded, tc.fwd)
				}
			})
		}
	}
}

func TestResponderWithoutUpstream(t *testing.T) {
	r, err := listenResponder(netip.MustParseAddr("127.0.0.1"), netip.MustParsePrefix("127.0.0.0/8"), fakeNames{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	m := query(t, "udp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), r.udpPort), "example.test.", dnsmessage.TypeA)
	if m.RCode != dnsmessage.RCodeServerFailure {
		t.Errorf("rcode %v, want SERVFAIL", m.RCode)
	}
}

// TestResponderIgnoresStrangers checks that a client outside the subnet
// gets no answer.
func TestResponderIgnoresStrangers(t *testing.T) {
	r, err := listenResponder(netip.MustParseAddr("127.0.0.1"), netip.MustParsePrefix("10.99.0.0/24"), fakeNames{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	c, err := net.Dial("udp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), r.udpPort).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	q, _ := (&dnsmessage.Message{Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName("alpha."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}}).Pack()
	c.Write(q)
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 512)); err == nil {
		t.Errorf("a client outside the subnet got %d bytes", n)
	} else if !strings.Contains(err.Error(), "timeout") {
		t.Errorf("read: %v", err)
	}
}

func TestParseReverse(t *testing.T) {
	if ip, ok := parseReverse("4.3.2.1.in-addr.arpa"); !ok || ip.String() != "1.2.3.4" {
		t.Errorf("got %v %v", ip, ok)
	}
	for _, bad := range []string{"1.2.3.in-addr.arpa", "a.b.c.d.in-addr.arpa", "4.3.2.1", "256.1.1.1.in-addr.arpa"} {
		if _, ok := parseReverse(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
