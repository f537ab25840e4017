package main

// Scan mode (-scan): one probe per target of a list at a given concurrency,
// as a zgrab2-class scanner runs a module: each result is one JSON line,
// encoded by one writer goroutine fed by a channel through a buffered file
// (zgrab2's output path), then one summary object goes to stdout with this
// process's user+sys CPU (getrusage, start-up included) and the wall time.
//
// Modes:
//   - tls13, tls12: crypto/tls completes a handshake (no verification, no
//     SNI for an address, like the wildtls CLI scanning addresses); the
//     result keeps version, suite and the chain's DER.
//   - observe12: the given ClientHello, records read until ServerHelloDone
//     (framing and message types only; a compiled lower bound for a census).
//   - smtp: zgrab2's smtp module with --send-ehlo --starttls: banner, EHLO,
//     STARTTLS, TLS handshake (highest version both offer), close. zgrab2
//     sends no EHLO after TLS, and QUIT only with --send-quit.
//   - smtp-full: the wildtls SMTP dialog: the same, then EHLO again over TLS
//     and QUIT.

import (
	"bufio"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type scanResult struct {
	Target   string   `json:"target"`
	Status   string   `json:"status"`
	Error    string   `json:"error,omitempty"`
	Version  string   `json:"version,omitempty"`
	Suite    string   `json:"suite,omitempty"`
	Chain    [][]byte `json:"chain,omitempty"` // DER; base64 in the JSON
	Banner   string   `json:"banner,omitempty"`
	EHLO     string   `json:"ehlo,omitempty"`
	StartTLS string   `json:"starttls,omitempty"`
	EHLOTLS  string   `json:"ehloTls,omitempty"`
}

type scanSummary struct {
	Mode        string  `json:"mode"`
	N           int     `json:"n"`
	Ok          int     `json:"ok"`
	CPUMs       float64 `json:"cpuMs"`
	WallS       float64 `json:"wallS"`
	TargetsPerS float64 `json:"targetsPerS"`
	Version     string  `json:"version,omitempty"`
	FirstError  string  `json:"firstError,omitempty"`
}

type prober func(addr string, r *scanResult) error

func scanMain(mode, targetsFile, outFile, helloHex string, conc int) {
	targets, err := readTargets(targetsFile)
	if err != nil {
		fail(err.Error())
	}
	probe, err := proberFor(mode, helloHex)
	if err != nil {
		fail(err.Error())
	}
	results := make(chan *scanResult, conc)
	written := make(chan struct{})
	go writeResults(outFile, results, written)

	var next, ok int64
	var firstErr, version atomic.Value
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1) - 1
				if i >= int64(len(targets)) {
					return
				}
				r := &scanResult{Target: targets[i], Status: "success"}
				if err := probe(targets[i], r); err != nil {
					r.Status, r.Error = "error", err.Error()
					firstErr.CompareAndSwap(nil, r.Error)
				} else {
					atomic.AddInt64(&ok, 1)
					version.CompareAndSwap(nil, r.Version)
				}
				results <- r
			}
		}()
	}
	wg.Wait()
	close(results)
	<-written
	wall := time.Since(t0).Seconds()
	s := scanSummary{Mode: mode, N: len(targets), Ok: int(ok), CPUMs: float64(cpuNow().Microseconds()) / 1000, WallS: wall, TargetsPerS: float64(len(targets)) / wall}
	if v, _ := version.Load().(string); v != "" {
		s.Version = v
	}
	if e, _ := firstErr.Load().(string); e != "" {
		s.FirstError = e
	}
	_ = json.NewEncoder(os.Stdout).Encode(s)
}

func fail(msg string) {
	os.Stderr.WriteString(msg + "\n")
	os.Exit(2)
}

// readTargets reads host:port lines, refusing any address that is not loopback.
func readTargets(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		h, _, err := net.SplitHostPort(line)
		if err != nil {
			return nil, err
		}
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			return nil, errors.New("refusing a non-loopback address: " + h)
		}
		out = append(out, line)
	}
	return out, nil
}

func writeResults(file string, results <-chan *scanResult, done chan<- struct{}) {
	defer close(done)
	if file == "" {
		for range results {
		}
		return
	}
	f, err := os.Create(file)
	if err != nil {
		fail(err.Error())
	}
	w := bufio.NewWriterSize(f, 1<<16)
	enc := json.NewEncoder(w)
	for r := range results {
		_ = enc.Encode(r)
	}
	if err := w.Flush(); err != nil {
		fail(err.Error())
	}
	_ = f.Close()
}

func proberFor(mode, helloHex string) (prober, error) {
	tls13 := &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS13}
	switch mode {
	case "tls13":
		return tlsProber(tls13), nil
	case "tls12":
		return tlsProber(&tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}), nil
	case "observe12":
		hello, err := hex.DecodeString(helloHex)
		if err != nil || len(hello) < 5 {
			return nil, errors.New("-hello: a ClientHello record in hex is required")
		}
		one := observeMode("", hello).one
		return func(addr string, r *scanResult) error {
			v, _, err := one(addr)
			r.Version = v
			return err
		}, nil
	case "smtp":
		return smtpProber(tls13, false), nil
	case "smtp-full":
		return smtpProber(tls13, true), nil
	}
	return nil, errors.New("unknown -scan mode: " + mode)
}

func tlsProber(cfg *tls.Config) prober {
	return func(addr string, r *scanResult) error {
		c, err := dial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		t := tls.Client(c, cfg)
		if err := t.Handshake(); err != nil {
			return err
		}
		keepState(t, r)
		return nil
	}
}

func keepState(t *tls.Conn, r *scanResult) {
	st := t.ConnectionState()
	r.Version, r.Suite = versionName[st.Version], tls.CipherSuiteName(st.CipherSuite)
	for _, c := range st.PeerCertificates {
		r.Chain = append(r.Chain, c.Raw)
	}
}
