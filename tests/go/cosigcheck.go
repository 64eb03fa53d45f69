// cosigcheck verifies a cosigned checkpoint with no code of the C
// project: the log's signature with golang.org/x/mod/sumdb/note, and each
// witness's cosignature/v1 line as c2sp.org/tlog-cosignature defines it
// (key ID = SHA-256(name || "\n" || 0x04 || key)[:4]; signature bytes =
// 8-byte big-endian timestamp || Ed25519 signature over
// "cosignature/v1\ntime <t>\n" || the checkpoint body).
//
// usage: cosigcheck CHECKPOINT_FILE LOG_VKEY WITNESS_VKEY...
//
// Prints one line per witness ("cosigned NAME time T" or why not) and
// exits 0 only when the log signature and every named witness's
// cosignature verify with a non-zero timestamp.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type witness struct {
	name string
	id   [4]byte
	pub  ed25519.PublicKey
}

// parseWitness reads a cosignature/v1 vkey: name+hash+base64(0x04||key).
func parseWitness(vkey string) (witness, error) {
	var w witness
	parts := strings.Split(vkey, "+")
	if len(parts) != 3 {
		return w, fmt.Errorf("vkey %q: want name+hash+key", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return w, fmt.Errorf("vkey %q: not a cosignature/v1 (0x04) Ed25519 key", vkey)
	}
	h := sha256.New()
	h.Write([]byte(parts[0] + "\n"))
	h.Write(raw)
	sum := h.Sum(nil)
	if fmt.Sprintf("%08x", binary.BigEndian.Uint32(sum[:4])) != parts[1] {
		return w, fmt.Errorf("vkey %q: the key hash does not match", vkey)
	}
	w.name = parts[0]
	copy(w.id[:], sum[:4])
	w.pub = ed25519.PublicKey(raw[1:])
	return w, nil
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: cosigcheck CHECKPOINT_FILE LOG_VKEY WITNESS_VKEY...")
		os.Exit(2)
	}
	msg, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logv, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "log vkey:", err)
		os.Exit(2)
	}
	// The log's signature, by the reference package (it ignores the
	// lines of keys it was not given, as signed-note says).
	n, err := note.Open(msg, note.VerifierList(logv))
	if err != nil {
		fmt.Println("log signature: FAILED:", err)
		os.Exit(1)
	}
	fmt.Printf("log signature: verified by %s\n", logv.Name())
	// The body as signed: everything up to the blank line, with its "\n".
	i := bytes.Index(msg, []byte("\n\n"))
	body := msg[:i+1]
	if n.Text != string(body) {
		fmt.Println("note text and body differ")
		os.Exit(1)
	}
	sigs := strings.Split(strings.TrimSuffix(string(msg[i+2:]), "\n"), "\n")
	bad := 0
	for _, a := range os.Args[3:] {
		w, err := parseWitness(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		found := false
		for _, line := range sigs {
			// "— <name> <base64>"
			f := strings.Split(strings.TrimPrefix(line, "\u2014 "), " ")
			if !strings.HasPrefix(line, "\u2014 ") || len(f) != 2 || f[0] != w.name {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil || len(raw) != 4+8+64 || !bytes.Equal(raw[:4], w.id[:]) {
				continue
			}
			found = true
			t := binary.BigEndian.Uint64(raw[4:12])
			signed := []byte("cosignature/v1\ntime " + strconv.FormatUint(t, 10) + "\n")
			signed = append(signed, body...)
			switch {
			case !ed25519.Verify(w.pub, signed, raw[12:]):
				fmt.Printf("witness %s: cosignature does NOT verify\n", w.name)
				bad++
			case t == 0:
				fmt.Printf("witness %s: timestamp 0 (not a cosignature of a witness)\n", w.name)
				bad++
			default:
				fmt.Printf("cosigned %s time %d\n", w.name, t)
			}
		}
		if !found {
			fmt.Printf("witness %s: no cosignature line\n", w.name)
			bad++
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
}
