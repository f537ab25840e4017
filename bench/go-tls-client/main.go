// A Go crypto/tls scanner's client, the class of zgrab2, as the reference the
// TLS handshake benchmark (bench/tls-handshake.ts) measures the raw engine
// against in the same run, and (with -scan, see scan.go) the reference the
// scan benchmark (bench/scan-vs-go.mjs) measures the wildtls CLI against.
// Loopback only: it dials the addresses it is given.
//
//	go build -o go-tls-client .
//	go-tls-client -hosts 127.0.20.1,... -port 8443 -hello <hex ClientHello record> -n 1500 -warm 2000 -rounds 3 -conc 16
//	go-tls-client -scan tls13 -targets list.txt -conc 50 -out results.jsonl
//
// Modes, interleaved in rounds like the node groups:
//   - go-tls13: crypto/tls completes a TLS 1.3 handshake (no verification, as
//     the raw engine, which leaves validation to an analysis).
//   - go-tls12: the same with MaxVersion TLS 1.2 (ECDHE).
//   - go-observe12: sends the given ClientHello and reads records until
//     ServerHelloDone, following record framing and handshake message types
//     only: a compiled lower bound for an observe-only census.
//
// Client CPU per handshake is user+sys of this process (getrusage) over a
// round, divided by the round's handshakes. Prints one JSON object:
// {label: [{label, n, ok, cpuMsPerHs, wallS, version, suite}]}.
package main

import (
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type result struct {
	Label      string  `json:"label"`
	N          int     `json:"n"`
	Ok         int     `json:"ok"`
	CPUMsPerHs float64 `json:"cpuMsPerHs"`
	WallS      float64 `json:"wallS"`
	Version    string  `json:"version,omitempty"`
	Suite      string  `json:"suite,omitempty"`
}

type mode struct {
	label string
	one   func(addr string) (version, suite string, err error)
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// dial connects with a 5 s deadline on the connect and 10 s on everything after it.
func dial(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, nil
}

// tls.VersionName needs Go 1.21; Debian 12 has 1.19.
var versionName = map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}

func tlsMode(label string, max uint16) mode {
	cfg := &tls.Config{InsecureSkipVerify: true, MaxVersion: max, ServerName: "localhost"}
	return mode{label, func(addr string) (string, string, error) {
		c, err := dial(addr)
		if err != nil {
			return "", "", err
		}
		defer c.Close()
		t := tls.Client(c, cfg)
		if err := t.Handshake(); err != nil {
			return "", "", err
		}
		st := t.ConnectionState()
		return versionName[st.Version], tls.CipherSuiteName(st.CipherSuite), nil
	}}
}

// observeMode sends hello and reads records until a ServerHelloDone (type 14)
// handshake message, with a deadline and a byte cap.
func observeMode(label string, hello []byte) mode {
	return mode{label, func(addr string) (string, string, error) {
		c, err := dial(addr)
		if err != nil {
			return "", "", err
		}
		defer c.Close()
		if _, err := c.Write(hello); err != nil {
			return "", "", err
		}
		buf := make([]byte, 0, 8192)
		chunk := make([]byte, 16384)
		var hs []byte // handshake bytes, reassembled across records
		off := 0      // records consumed in buf
		for len(buf) < 1<<20 {
			k, err := c.Read(chunk)
			if k > 0 {
				buf = append(buf, chunk[:k]...)
			}
			for len(buf)-off >= 5 {
				l := int(binary.BigEndian.Uint16(buf[off+3:]))
				if len(buf)-off < 5+l {
					break
				}
				if buf[off] != 22 {
					return "", "", errors.New("not a handshake record")
				}
				hs = append(hs, buf[off+5:off+5+l]...)
				off += 5 + l
				for len(hs) >= 4 {
					ml := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
					if len(hs) < 4+ml {
						break
					}
					if hs[0] == 14 {
						return "TLSv1.2", "", nil
					}
					hs = hs[4+ml:]
				}
			}
			if err != nil {
				if err == io.EOF {
					err = errors.New("closed before ServerHelloDone")
				}
				return "", "", err
			}
		}
		return "", "", errors.New("byte cap")
	}}
}

func run(m mode, hosts []string, port string, n, conc int) result {
	var next, ok int64
	var version, suite atomic.Value
	var wg sync.WaitGroup
	c0 := cpuNow()
	t0 := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1) - 1
				if i >= int64(n) {
					return
				}
				v, s, err := m.one(net.JoinHostPort(hosts[int(i)%len(hosts)], port))
				if err == nil {
					atomic.AddInt64(&ok, 1)
					version.Store(v)
					suite.Store(s)
				}
			}
		}()
	}
	wg.Wait()
	cpu := cpuNow() - c0
	r := result{Label: m.label, N: n, Ok: int(ok), CPUMsPerHs: float64(cpu.Microseconds()) / 1000 / float64(n), WallS: time.Since(t0).Seconds()}
	if v, _ := version.Load().(string); v != "" {
		r.Version = v
	}
	if s, _ := suite.Load().(string); s != "" {
		r.Suite = s
	}
	return r
}

func main() {
	hosts := flag.String("hosts", "127.0.0.1", "comma-separated loopback addresses")
	port := flag.String("port", "8443", "port")
	helloHex := flag.String("hello", "", "ClientHello record (hex) for go-observe12")
	n := flag.Int("n", 1500, "handshakes per round")
	warm := flag.Int("warm", 2000, "warm-up handshakes per mode")
	rounds := flag.Int("rounds", 3, "rounds")
	conc := flag.Int("conc", 16, "concurrency")
	scan := flag.String("scan", "", "scan mode over -targets: tls13, tls12, observe12 (needs -hello), smtp, smtp-full")
	targets := flag.String("targets", "", "scan: file of host:port lines (loopback only)")
	outFile := flag.String("out", "", "scan: JSONL file of one result per target (default: none)")
	flag.Parse()
	if *scan != "" {
		scanMain(*scan, *targets, *outFile, *helloHex, *conc)
		return
	}
	for _, h := range strings.Split(*hosts, ",") {
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			os.Stderr.WriteString("refusing a non-loopback address: " + h + "\n")
			os.Exit(2)
		}
	}
	hello, err := hex.DecodeString(*helloHex)
	if err != nil || len(hello) < 5 {
		os.Stderr.WriteString("-hello: a ClientHello record in hex is required\n")
		os.Exit(2)
	}
	modes := []mode{
		observeMode("go observe-only, TLS 1.2 (record framing and message types only)", hello),
		tlsMode("go crypto/tls completed, TLS 1.3", tls.VersionTLS13),
		tlsMode("go crypto/tls completed, TLS 1.2 ECDHE", tls.VersionTLS12),
	}
	hs := strings.Split(*hosts, ",")
	for _, m := range modes {
		run(m, hs, *port, *warm, *conc)
	}
	out := map[string][]result{}
	for r := 0; r < *rounds; r++ {
		for _, m := range modes {
			out[m.label] = append(out[m.label], run(m, hs, *port, *n, *conc))
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
