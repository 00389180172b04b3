// Command netprobe is the network tests' tool inside containers (built
// statically, copied into a busybox root file system):
//
//	netprobe serve-tcp PORT       answer every connection with "tcp <hostname>\n"
//	netprobe serve-udp PORT       answer every datagram with "udp <hostname> <datagram>"
//	netprobe dial-tcp HOST:PORT   connect, print what the server says
//	netprobe dial-udp HOST:PORT   send "ping", print the answer
//	netprobe resolve NAME         print the addresses of NAME, one a line
//
// Servers print "ready" once they listen. Clients give up after 3 s and
// exit 1 with the error on stderr.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: netprobe serve-tcp|serve-udp|dial-tcp|dial-udp|resolve ARG")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "netprobe:", err)
		os.Exit(1)
	}
}

func run(cmd, arg string) error {
	host, _ := os.Hostname()
	switch cmd {
	case "serve-tcp":
		l, err := net.Listen("tcp4", ":"+arg)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		for {
			c, err := l.Accept()
			if err != nil {
				return err
			}
			fmt.Fprintf(c, "tcp %s\n", host)
			c.Close()
		}
	case "serve-udp":
		c, err := net.ListenPacket("udp4", ":"+arg)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		buf := make([]byte, 1500)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return err
			}
			c.WriteTo(fmt.Appendf(nil, "udp %s %s", host, buf[:n]), from)
		}
	case "dial-tcp":
		c, err := net.DialTimeout("tcp4", arg, 3*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		b, err := io.ReadAll(c)
		os.Stdout.Write(b)
		return err
	case "dial-udp":
		c, err := net.DialTimeout("udp4", arg, 3*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		if _, err := c.Write([]byte("ping")); err != nil {
			return err
		}
		b := make([]byte, 1500)
		n, err := c.Read(b)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n", b[:n])
		return nil
	case "resolve":
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupHost(ctx, arg)
		if err != nil {
			return err
		}
		for _, a := range addrs {
			fmt.Println(a)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", cmd)
}
