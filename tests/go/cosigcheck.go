// cosigcheck verifies a cosigned checkpoint without the C project's code:
// the log's signature with golang.org/x/mod/sumdb/note, and each named
// witness's cosignature/v1 line as c2sp.org/tlog-cosignature defines it
// (key ID SHA-256(name || "\n" || 0x04 || key)[:4]; signature bytes
// timestamp (8, big-endian) || Ed25519 signature over
// "cosignature/v1\ntime <timestamp>\n" || the note text), with a
// timestamp that is not 0.
//
// usage: cosigcheck CHECKPOINT_FILE LOG_VKEY WITNESS_VKEY...
// Exit 0 and one line per witness if every one verifies; 1 otherwise.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "cosigcheck: "+format+"\n", a...)
	os.Exit(1)
}

// cosigner parses a vkey "name+hexid+base64(0x04 || key)".
func cosigner(vkey string) (string, uint32, ed25519.PublicKey) {
	f := strings.SplitN(vkey, "+", 3)
	if len(f) != 3 {
		fail("%q is not a vkey", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("%q is not a cosignature/v1 Ed25519 vkey", vkey)
	}
	h := sha256.Sum256(append([]byte(f[0]+"\n"), raw...))
	id := binary.BigEndian.Uint32(h[:4])
	if want, err := strconv.ParseUint(f[1], 16, 32); err != nil || uint32(want) != id {
		fail("%q: the key ID is not SHA-256(name, 0x04, key)[:4] (%08x)", vkey, id)
	}
	return f[0], id, ed25519.PublicKey(raw[1:])
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: cosigcheck CHECKPOINT_FILE LOG_VKEY WITNESS_VKEY...")
		os.Exit(2)
	}
	msg, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	logv, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("log vkey: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(logv))
	if err != nil {
		fail("the log's signature: %v", err)
	}
	text := []byte(n.Text)
	sep := bytes.Index(msg, []byte("\n\n"))
	lines := strings.Split(strings.TrimSuffix(string(msg[sep+2:]), "\n"), "\n")
	for _, vk := range os.Args[3:] {
		name, id, pub := cosigner(vk)
		found := false
		for _, l := range lines {
			if !strings.HasPrefix(l, "\u2014 "+name+" ") {
				continue
			}
			b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(l, "\u2014 "+name+" "))
			if err != nil || len(b) != 4+8+64 || binary.BigEndian.Uint32(b[:4]) != id {
				continue
			}
			ts := binary.BigEndian.Uint64(b[4:12])
			m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), text...)
			if !ed25519.Verify(pub, m, b[12:]) {
				fail("%s: the cosignature does not verify", name)
			}
			if ts == 0 {
				fail("%s: timestamp 0", name)
			}
			fmt.Printf("%s: cosignature/v1 verified, key ID %08x, time %d, size %s\n",
				name, id, ts, strings.Split(n.Text, "\n")[1])
			found = true
			break
		}
		if !found {
			fail("%s: no cosignature line of key ID %s", name, hex.EncodeToString([]byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}))
		}
	}
}
