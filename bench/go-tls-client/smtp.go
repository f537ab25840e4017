package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"strings"
)

// SMTP replies as zgrab2's smtp module reads them: lines until one whose
// fourth byte is a space; a line is capped by the reader's buffer and a reply
// at maxReplyLines, and the connection's deadline bounds the whole probe.
const (
	maxSMTPLine   = 4096
	maxReplyLines = 128
)

var errReply = errors.New("malformed SMTP reply")

func readReply(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for i := 0; i < maxReplyLines; i++ {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return b.String(), err
		}
		b.Write(line)
		if len(line) < 4 || line[0] < '1' || line[0] > '5' {
			return b.String(), errReply
		}
		if line[3] == ' ' || line[3] == '\r' || line[3] == '\n' {
			return b.String(), nil
		}
	}
	return b.String(), errors.New("too many reply lines")
}

func command(c net.Conn, r *bufio.Reader, cmd string, want byte) (string, error) {
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	reply, err := readReply(r)
	if err == nil && reply[0] != want {
		err = errors.New(cmd + ": " + strings.TrimSpace(reply))
	}
	return reply, err
}

// smtpProber: banner, EHLO, STARTTLS, handshake; with full, EHLO again over
// TLS and QUIT (the wildtls SMTP dialog).
func smtpProber(cfg *tls.Config, full bool) prober {
	return func(addr string, res *scanResult) error {
		c, err := dial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		r := bufio.NewReaderSize(c, maxSMTPLine)
		if res.Banner, err = readReply(r); err != nil {
			return err
		}
		if res.EHLO, err = command(c, r, "EHLO wildtls-research-scanner.invalid", '2'); err != nil {
			return err
		}
		if res.StartTLS, err = command(c, r, "STARTTLS", '2'); err != nil {
			return err
		}
		if r.Buffered() > 0 {
			return errors.New("bytes after the STARTTLS reply")
		}
		t := tls.Client(c, cfg)
		if err := t.Handshake(); err != nil {
			return err
		}
		keepState(t, res)
		if !full {
			return nil
		}
		tr := bufio.NewReaderSize(t, maxSMTPLine)
		if res.EHLOTLS, err = command(t, tr, "EHLO wildtls-research-scanner.invalid", '2'); err != nil {
			return err
		}
		_, err = command(t, tr, "QUIT", '2')
		return err
	}
}
