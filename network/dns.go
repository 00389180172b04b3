package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// dnsBackend is what a responder knows of its network.
type dnsBackend interface {
	// lookupName returns the addresses of the members called name
	// (lower case, no trailing dot), as client src sees them.
	lookupName(src netip.Addr, name string) []netip.Addr
	// lookupAddr returns the name of the member at ip.
	lookupAddr(ip netip.Addr) (string, bool)
	// upstreams are where the query of client src goes when the name is
	// not a member's.
	upstreams(src netip.Addr) []netip.AddrPort
}

// Limits of a responder.
const (
	dnsTTL          = 5 // seconds: addresses change when containers restart
	dnsMaxInFlight  = 256
	dnsUpstreamWait = 2 * time.Second
	dnsTCPIdle      = 10 * time.Second
	dnsMaxUDP       = 4096
)

// responder is the DNS server of one user-defined network. It listens
// on the network's gateway address, on ports the kernel picks (a DNAT
// rule sends the gateway's port 53 there), over UDP and TCP, and only
// answers clients inside its subnet.
type responder struct {
	subnet           netip.Prefix
	backend          dnsBackend
	udp              *net.UDPConn
	tcp              *net.TCPListener
	udpPort, tcpPort uint16
	// sem bounds the queries in flight (forwarding waits on upstreams).
	sem  chan struct{}
	wg   sync.WaitGroup
	done chan struct{}
}

// listenResponder starts a responder on gateway for subnet.
func listenResponder(gateway netip.Addr, subnet netip.Prefix, b dnsBackend) (*responder, error) {
	udp, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(gateway, 0)))
	if err != nil {
		return nil, fmt.Errorf("starting the DNS responder on %s: %w", gateway, err)
	}
	udpPort := udp.LocalAddr().(*net.UDPAddr).AddrPort().Port()
	// The same port over TCP if it is free, else any.
	tcp, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(gateway, udpPort)))
	if err != nil {
		tcp, err = net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(gateway, 0)))
	}
	if err != nil {
		udp.Close()
		return nil, fmt.Errorf("starting the DNS responder on %s over TCP: %w", gateway, err)
	}
	r := &responder{
		subnet: subnet, backend: b, udp: udp, tcp: tcp,
		udpPort: udpPort, tcpPort: tcp.Addr().(*net.TCPAddr).AddrPort().Port(),
		sem: make(chan struct{}, dnsMaxInFlight), done: make(chan struct{}),
	}
	r.wg.Add(2)
	go r.serveUDP()
	go r.serveTCP()
	return r, nil
}

// close stops the responder and waits for its goroutines.
func (r *responder) close() {
	close(r.done)
	r.udp.Close()
	r.tcp.Close()
	r.wg.Wait()
}

func (r *responder) serveUDP() {
	defer r.wg.Done()
	buf := make([]byte, dnsMaxUDP)
	for {
		n, src, err := r.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if !r.subnet.Contains(src.Addr().Unmap()) {
			continue
		}
		select {
		case r.sem <- struct{}{}:
		default:
			continue // overloaded: the client retries
		}
		q := append([]byte(nil), buf[:n]...)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { <-r.sem }()
			if resp := r.answer(q, src.Addr().Unmap(), false); resp != nil {
				r.udp.WriteToUDPAddrPort(resp, src)
			}
		}()
	}
}

func (r *responder) serveTCP() {
	defer r.wg.Done()
	for {
		c, err := r.tcp.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		src := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
		if !r.subnet.Contains(src) {
			c.Close()
			continue
		}
		select {
		case r.sem <- struct{}{}:
		default:
			c.Close()
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { <-r.sem }()
			r.serveConn(c, src)
		}()
	}
}

// serveConn answers the length-prefixed queries of one TCP client.
func (r *responder) serveConn(c *net.TCPConn, src netip.Addr) {
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-r.done:
			c.Close()
		case <-stop:
		}
	}()
	for {
		c.SetDeadline(time.Now().Add(dnsTCPIdle))
		q, err := readTCPMessage(c)
		if err != nil {
			return
		}
		resp := r.answer(q, src, true)
		if resp == nil {
			return
		}
		if err := writeTCPMessage(c, resp); err != nil {
			return
		}
	}
}

func readTCPMessage(rd io.Reader) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(rd, l[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(rd, b); err != nil {
		return nil, err
	}
	return b, nil
}

func writeTCPMessage(w io.Writer, m []byte) error {
	b := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(m)), uint16(len(m)))
	_, err := w.Write(append(b, m...))
	return err
}

// answer returns the reply to query q of client src (nil: no reply).
func (r *responder) answer(q []byte, src netip.Addr, overTCP bool) []byte {
	var msg dnsmessage.Message
	if err := msg.Unpack(q); err != nil || msg.Response {
		return nil
	}
	if msg.OpCode != 0 || len(msg.Questions) != 1 {
		return reply(msg, dnsmessage.RCodeNotImplemented, nil)
	}
	question := msg.Questions[0]
	if question.Class == dnsmessage.ClassINET {
		name := strings.ToLower(strings.TrimSuffix(question.Name.String(), "."))
		if ips := r.backend.lookupName(src, name); len(ips) > 0 {
			var answers []dnsmessage.Resource
			if question.Type == dnsmessage.TypeA || question.Type == dnsmessage.TypeALL {
				for _, ip := range ips {
					answers = append(answers, dnsmessage.Resource{
						Header: dnsmessage.ResourceHeader{Name: question.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: dnsTTL},
						Body:   &dnsmessage.AResource{A: ip.As4()},
					})
				}
			}
			// Other types of a member's name: no data, but the name
			// exists, so the client does not go on to search domains.
			return reply(msg, dnsmessage.RCodeSuccess, answers)
		}
		if question.Type == dnsmessage.TypePTR {
			if ip, ok := parseReverse(name); ok && r.subnet.Contains(ip) {
				if member, ok := r.backend.lookupAddr(ip); ok {
					target, err := dnsmessage.NewName(member + ".")
					if err == nil {
						return reply(msg, dnsmessage.RCodeSuccess, []dnsmessage.Resource{{
							Header: dnsmessage.ResourceHeader{Name: question.Name, Type: dnsmessage.TypePTR, Class: dnsmessage.ClassINET, TTL: dnsTTL},
							Body:   &dnsmessage.PTRResource{PTR: target},
						}})
					}
				}
			}
		}
	}
	if resp, ok := forward(q, r.backend.upstreams(src), overTCP); ok {
		return resp
	}
	return reply(msg, dnsmessage.RCodeServerFailure, nil)
}

// reply builds an answer to msg.
func reply(msg dnsmessage.Message, rcode dnsmessage.RCode, answers []dnsmessage.Resource) []byte {
	resp := dnsmessage.Message{
		Header: dnsmessage.Header{
			ID: msg.ID, Response: true, Authoritative: rcode == dnsmessage.RCodeSuccess,
			RecursionDesired: msg.RecursionDesired, RecursionAvailable: true, RCode: rcode,
		},
		Questions: msg.Questions,
		Answers:   answers,
	}
	b, err := resp.Pack()
	if err != nil {
		return nil
	}
	return b
}

// forward asks the upstreams in turn and returns the first answer.
func forward(q []byte, upstreams []netip.AddrPort, overTCP bool) ([]byte, bool) {
	for _, up := range upstreams {
		if resp, err := exchange(q, up, overTCP); err == nil {
			return resp, true
		}
	}
	return nil, false
}

// exchange sends one query to one server and waits for its answer.
func exchange(q []byte, server netip.AddrPort, overTCP bool) ([]byte, error) {
	network := "udp"
	if overTCP {
		network = "tcp"
	}
	c, err := net.DialTimeout(network, server.String(), dnsUpstreamWait)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(dnsUpstreamWait))
	if overTCP {
		if err := writeTCPMessage(c, q); err != nil {
			return nil, err
		}
		return readTCPMessage(c)
	}
	if _, err := c.Write(q); err != nil {
		return nil, err
	}
	buf := make([]byte, 65535)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil, err
		}
		// The reply must answer our query (same id).
		if n >= 2 && len(q) >= 2 && buf[0] == q[0] && buf[1] == q[1] {
			return buf[:n], nil
		}
	}
}

// parseReverse turns "4.3.2.1.in-addr.arpa" into 1.2.3.4.
func parseReverse(name string) (netip.Addr, bool) {
	rest, ok := strings.CutSuffix(name, ".in-addr.arpa")
	if !ok {
		return netip.Addr{}, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var a [4]byte
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return netip.Addr{}, false
		}
		a[3-i] = byte(v)
	}
	return netip.AddrFrom4(a), true
}
