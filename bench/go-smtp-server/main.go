// A small SMTP server with STARTTLS for the scan benchmark (bench/scan-vs-go.mjs):
// the endpoint both the wildtls CLI and the Go reference client scan in the
// same run. Standard library only; loopback only.
//
//	go build -o go-smtp-server .
//	go-smtp-server -hosts 127.0.51.1,... -ports 10025,10026 -cert chain.pem -key key.pem
//
// Per connection: "220" banner; EHLO answers 250 with PIPELINING, 8BITMIME and
// (before TLS) STARTTLS; HELO, NOOP, RSET 250; STARTTLS 220 then a crypto/tls
// server handshake (TLS 1.2 or 1.3, the chain from -cert as given); QUIT 221
// and close; anything else 502. Every read has a deadline and each line a cap.
// It prints "ready" once every listener is bound.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

const (
	idle    = 30 * time.Second // deadline of each read
	maxLine = 4096             // cap on one command line
)

func main() {
	hosts := flag.String("hosts", "127.0.0.1", "comma-separated loopback addresses")
	ports := flag.String("ports", "2525", "comma-separated ports (every host gets every port)")
	certFile := flag.String("cert", "", "PEM chain, leaf first")
	keyFile := flag.String("key", "", "PEM private key")
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fail("certificate: %v", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, SessionTicketsDisabled: true}
	for _, h := range strings.Split(*hosts, ",") {
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			fail("refusing a non-loopback address: %s", h)
		}
		for _, p := range strings.Split(*ports, ",") {
			l, err := net.Listen("tcp", net.JoinHostPort(h, p))
			if err != nil {
				fail("listen %s:%s: %v", h, p, err)
			}
			go serve(l, cfg)
		}
	}
	fmt.Println("ready")
	select {}
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	os.Exit(2)
}

func serve(l net.Listener, cfg *tls.Config) {
	for {
		c, err := l.Accept()
		if err != nil {
			// EMFILE and the like: back off rather than spin.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go session(c, cfg)
	}
}

// session runs one SMTP dialog; any read or write error ends it.
func session(c net.Conn, cfg *tls.Config) {
	defer c.Close()
	var conn net.Conn = c
	r := bufio.NewReaderSize(conn, maxLine)
	secure := false
	send := func(s string) bool {
		_, err := conn.Write([]byte(s))
		return err == nil
	}
	if !send("220 bench.wildtls.test ESMTP wildtls bench\r\n") {
		return
	}
	for {
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		line, err := r.ReadSlice('\n')
		if err != nil {
			return // includes a line over maxLine (bufio.ErrBufferFull)
		}
		verb := strings.ToUpper(strings.TrimSpace(string(line)))
		if i := strings.IndexByte(verb, ' '); i >= 0 {
			verb = verb[:i]
		}
		switch verb {
		case "EHLO":
			ext := "250-bench.wildtls.test\r\n250-PIPELINING\r\n"
			if !secure {
				ext += "250-STARTTLS\r\n"
			}
			if !send(ext + "250 8BITMIME\r\n") {
				return
			}
		case "HELO", "NOOP", "RSET":
			if !send("250 OK\r\n") {
				return
			}
		case "STARTTLS":
			if secure {
				if !send("503 already in TLS\r\n") {
					return
				}
				continue
			}
			if r.Buffered() > 0 {
				return // bytes pipelined after STARTTLS: refuse them, as real servers do
			}
			if !send("220 ready to start TLS\r\n") {
				return
			}
			t := tls.Server(c, cfg)
			_ = t.SetDeadline(time.Now().Add(idle))
			if err := t.Handshake(); err != nil {
				return
			}
			_ = t.SetDeadline(time.Time{})
			conn, secure = t, true
			r = bufio.NewReaderSize(conn, maxLine)
		case "QUIT":
			send("221 bye\r\n")
			return
		default:
			if !send("502 not implemented\r\n") {
				return
			}
		}
	}
}
