// Command netpeer is the network tests' peer, built static (CGO_ENABLED=0,
// so that names resolve with Go's own resolver from /etc/resolv.conf and
// /etc/hosts) and copied into the test image. busybox's wget cannot
// resolve names when linked statically, and its nc has no UDP.
//
//	netpeer serve-tcp ADDR        answer each connection "HOSTNAME REMOTEADDR\n"
//	netpeer serve-udp ADDR        answer each datagram "HOSTNAME REMOTEADDR MESSAGE"
//	netpeer get HOST:PORT         print a TCP server's answer (3 s timeout)
//	netpeer udp HOST:PORT MESSAGE print a UDP server's answer (3 s timeout)
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

const timeout = 3 * time.Second

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: netpeer serve-tcp|serve-udp|get|udp ADDR [MESSAGE]"))
	}
	var err error
	switch addr := os.Args[2]; os.Args[1] {
	case "serve-tcp":
		err = serveTCP(addr)
	case "serve-udp":
		err = serveUDP(addr)
	case "get":
		err = get(addr)
	case "udp":
		if len(os.Args) < 4 {
			err = fmt.Errorf("udp needs a message")
		} else {
			err = udp(addr, os.Args[3])
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	fail(err)
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "netpeer:", err)
		os.Exit(1)
	}
}

func serveTCP(addr string) error {
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		fmt.Fprintf(c, "%s %s\n", host, c.RemoteAddr())
		c.Close()
	}
}

func serveUDP(addr string) error {
	pc, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		pc.WriteTo(fmt.Appendf(nil, "%s %s %s", host, from, buf[:n]), from)
	}
}

func get(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp4", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	_, err = io.Copy(os.Stdout, c)
	return err
}

func udp(addr, msg string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp4", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	fmt.Printf("%s\n", buf[:n])
	return nil
}
