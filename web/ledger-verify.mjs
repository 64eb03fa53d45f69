// ledger-verify.mjs - verify the ledger's signed notes, checkpoints,
// C2SP tlog-policy quorums, c2sp.org/tlog-proof@v1 receipts and RFC 6962
// proofs, and decode its canonical leaves, in a web page or in Node.js.
//
// One ES module, no build step, no dependency beyond WebCrypto (SHA-256
// and Ed25519). It gives the same verdicts as the C code it mirrors:
// common/note.c, sig.c, checkpoint.c, policy.c, policy_check.c,
// tlog_proof.c, codec.c and merkle/merkle.c (docs/protocol.md).
//
// Every verifying function refuses by default: it returns only when all
// was checked, and otherwise throws a VerifyError whose `rule` names the
// check that failed and whose message says why. Byte inputs are
// Uint8Array; strings are taken as their UTF-8 bytes. Integers that can
// reach 2^64 - 1 (sizes, indexes, grams, times) are BigInt.

// In a page and in Node.js 19+, globalThis.crypto; Node.js 18 keeps it in
// node:crypto (imported only there, never in a browser).
const subtle = globalThis.crypto && globalThis.crypto.subtle ?
    globalThis.crypto.subtle : await nodeSubtle();

async function nodeSubtle() {
	try {
		const c = await import('node:crypto');
		return c.webcrypto && c.webcrypto.subtle;
	} catch (e) {
		return undefined;
	}
}
const utf8 = new TextEncoder();
const text8 = new TextDecoder('utf-8', { fatal: false });

export class VerifyError extends Error {
	constructor(rule, message) {
		super(message);
		this.name = 'VerifyError';
		this.rule = rule;
	}
}

function fail(rule, message) {
	throw new VerifyError(rule, message);
}

function bytes(x) {
	if (x instanceof Uint8Array)
		return x;
	if (typeof x === 'string')
		return utf8.encode(x);
	if (x instanceof ArrayBuffer)
		return new Uint8Array(x);
	fail('input', 'want a Uint8Array or a string');
}

function concat(...parts) {
	let n = 0;
	for (const p of parts)
		n += p.length;
	const out = new Uint8Array(n);
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

function equal(a, b) {
	if (a.length !== b.length)
		return false;
	for (let i = 0; i < a.length; i++)
		if (a[i] !== b[i])
			return false;
	return true;
}

function indexOf(buf, byte, from, end) {
	for (let i = from; i < end; i++)
		if (buf[i] === byte)
			return i;
	return -1;
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

// ---- WebCrypto ----------------------------------------------------------

function needCrypto() {
	if (!subtle)
		fail('webcrypto', 'this platform has no WebCrypto (crypto.subtle)');
}

export async function sha256(data) {
	needCrypto();
	return new Uint8Array(await subtle.digest('SHA-256', bytes(data)));
}

/** Whether this platform's WebCrypto verifies Ed25519 signatures. */
export async function ed25519Available() {
	if (!subtle)
		return false;
	try {
		// The base point: a valid public key.
		const pub = b64decode('WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=');
		const k = await subtle.importKey('raw', pub, { name: 'Ed25519' },
		    false, ['verify']);
		await subtle.verify({ name: 'Ed25519' }, k, new Uint8Array(64),
		    new Uint8Array(1));
		return true;
	} catch (e) {
		return false;
	}
}

async function ed25519Verify(pub, sig, msg) {
	needCrypto();
	let k;
	try {
		k = await subtle.importKey('raw', pub, { name: 'Ed25519' }, false,
		    ['verify']);
	} catch (e) {
		fail('webcrypto', 'this platform cannot verify Ed25519 ' +
		    'signatures (' + e.message + ')');
	}
	return subtle.verify({ name: 'Ed25519' }, k, sig, msg);
}

// ---- base64 (RFC 4648 section 4, padded, canonical), like common/b64.c --

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64V = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++)
	B64V[B64.charCodeAt(i)] = i;

/** Strict base64 of bytes (or a string's code units < 256); null if not. */
export function b64decode(s) {
	const c = typeof s === 'string' ? Uint8Array.from(s, (ch) => {
		const v = ch.charCodeAt(0);
		return v < 256 ? v : 0;
	}) : s;
	return b64decodeBytes(c, 0, c.length);
}

function b64decodeBytes(s, from, to) {
	const len = to - from;
	if (len % 4 !== 0)
		return null;
	let pad = 0;
	if (len >= 1 && s[to - 1] === 0x3d)
		pad++;
	if (len >= 2 && s[to - 2] === 0x3d)
		pad++;
	const out = new Uint8Array(len / 4 * 3);
	let o = 0;
	for (let i = 0; i < len; i += 4) {
		let v = 0;
		const k = (i + 4 === len) ? 4 - pad : 4;
		for (let j = 0; j < 4; j++) {
			let d = 0;
			if (j < k) {
				if ((d = B64V[s[from + i + j]]) < 0)
					return null;
			} else if (s[from + i + j] !== 0x3d)
				return null;
			v = v << 6 | d;
		}
		if (k < 2)
			return null;
		out[o++] = v >>> 16 & 0xff;
		if (k > 2)
			out[o++] = v >>> 8 & 0xff;
		if (k > 3)
			out[o++] = v & 0xff;
		if ((k === 2 && (v & 0xffff)) || (k === 3 && (v & 0xff)))
			return null;
	}
	return out.subarray(0, o);
}

export function b64encode(b) {
	let s = '';
	let i = 0;
	for (; i + 2 < b.length; i += 3) {
		const v = b[i] << 16 | b[i + 1] << 8 | b[i + 2];
		s += B64[v >> 18] + B64[v >> 12 & 63] + B64[v >> 6 & 63] +
		    B64[v & 63];
	}
	if (b.length - i === 1) {
		const v = b[i] << 16;
		s += B64[v >> 18] + B64[v >> 12 & 63] + '==';
	} else if (b.length - i === 2) {
		const v = b[i] << 16 | b[i + 1] << 8;
		s += B64[v >> 18] + B64[v >> 12 & 63] + B64[v >> 6 & 63] + '=';
	}
	return s;
}

// Decimal u64 like common/u64.c: digits only, no leading zero, no overflow.
function u64parse(s, from, to) {
	const len = to - from;
	if (len === 0 || len > 20 || (len > 1 && s[from] === 0x30))
		return null;
	let v = 0n;
	for (let i = from; i < to; i++) {
		if (s[i] < 0x30 || s[i] > 0x39)
			return null;
		v = v * 10n + BigInt(s[i] - 0x30);
	}
	return v > U64_MAX ? null : v;
}

// ---- text, like common/note.c --------------------------------------------

// Strict UTF-8 without ASCII controls other than '\n'.
function validText(p, from, to) {
	let i = from;
	while (i < to) {
		const c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c !== 0x0a)
				return false;
			i++;
			continue;
		}
		let lo = 0x80, hi = 0xbf, n;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c === 0xe0)
				lo = 0xa0;
			else if (c === 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c === 0xf0)
				lo = 0x90;
			else if (c === 0xf4)
				hi = 0x8f;
		} else
			return false;
		if (to - i - 1 < n)
			return false;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (let k = 2; k <= n; k++)
			if ((p[i + k] & 0xc0) !== 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

function noteTextValid(p) {
	return p.length > 0 && p[p.length - 1] === 0x0a &&
	    validText(p, 0, p.length);
}

// A key name (common/sig.c sig_valid_name): 1..255 bytes, no '+', no
// ASCII space, control or DEL.
function validName(p, from, to) {
	const len = to - from;
	if (len === 0 || len > 255)
		return false;
	for (let i = from; i < to; i++)
		if (p[i] === 0x2b || p[i] <= 0x20 || p[i] === 0x7f)
			return false;
	return true;
}

// Unicode spaces beyond ASCII, refused in a signature line's key name.
function hasUnicodeSpace(p, from, to) {
	for (let i = from; i < to; i++) {
		if (p[i] === 0xc2 && i + 1 < to &&
		    (p[i + 1] === 0x85 || p[i + 1] === 0xa0))
			return true;
		if (i + 2 >= to)
			continue;
		if (p[i] === 0xe1 && p[i + 1] === 0x9a && p[i + 2] === 0x80)
			return true;
		if (p[i] === 0xe2 && p[i + 1] === 0x80 &&
		    (p[i + 2] <= 0x8a || p[i + 2] === 0xa8 ||
		    p[i + 2] === 0xa9 || p[i + 2] === 0xaf))
			return true;
		if (p[i] === 0xe2 && p[i + 1] === 0x81 && p[i + 2] === 0x9f)
			return true;
		if (p[i] === 0xe3 && p[i + 1] === 0x80 && p[i + 2] === 0x80)
			return true;
	}
	return false;
}

// ---- Ed25519 public keys: the point check of common/sig.c ----------------

const P = (1n << 255n) - 19n;
const D = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3n;
const SMALL_Y = [
	'26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
	'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
];

function modpow(b, e, m) {
	let r = 1n;
	b %= m;
	while (e > 0n) {
		if (e & 1n)
			r = r * b % m;
		b = b * b % m;
		e >>= 1n;
	}
	return r;
}

function hex(b) {
	let s = '';
	for (const x of b)
		s += x.toString(16).padStart(2, '0');
	return s;
}

/** null if pub is a canonical Ed25519 point of large order, else why not. */
export function pubProblem(pub) {
	const le = Uint8Array.from(pub);
	const sign = le[31] >> 7;
	le[31] &= 0x7f;
	let y = 0n;
	for (let i = 31; i >= 0; i--)
		y = y << 8n | BigInt(le[i]);
	if (y >= P)
		return 'not canonical (y >= 2^255 - 19)';
	const t = y * y % P;
	const u = (t - 1n + P) % P;
	const v = (D * t + 1n) % P;
	const w = modpow(u * v % P, P >> 1n, P);
	if (u === 0n && sign)
		return 'not canonical (x = 0 with the sign bit set)';
	if (u !== 0n && w !== 1n)
		return 'not a point of the curve';
	const h = hex(le);
	if (u === 0n || y === 0n || h === SMALL_Y[0] || h === SMALL_Y[1])
		return 'of small order (its order divides 8)';
	return null;
}

// ---- verifier keys ---------------------------------------------------------

export const KEY_ED25519 = 0x01;
export const KEY_COSIGN = 0x04;

async function keyId(nameBytes, type, pub) {
	const h = await sha256(concat(nameBytes, Uint8Array.of(0x0a, type), pub));
	return (h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3]) >>> 0;
}

/**
 * Parse a verifier key "<name>+<8 hex id>+<base64(type || pubkey)>"
 * (type 0x01: a log's or signer's key; 0x04: a cosignature/v1 witness
 * key). Refuses a bad form, an ID that does not match, a weak key.
 * Returns { name, id, type, pub, vkey }.
 */
export async function parseVkey(vkey) {
	const s = bytes(vkey);
	const p1 = indexOf(s, 0x2b, 0, s.length);
	if (p1 < 0 || !validName(s, 0, p1))
		fail('vkey', 'not a verifier key (want <name>+<id>+<key>)');
	const off = p1 + 1;
	const p2 = indexOf(s, 0x2b, off, s.length);
	if (p2 < 0 || p2 - off !== 8)
		fail('vkey', 'not a verifier key (the key ID is not 8 hex digits)');
	let id = 0;
	for (let i = off; i < off + 8; i++) {
		const c = s[i];
		let d;
		if (c >= 0x30 && c <= 0x39)
			d = c - 0x30;
		else if (c >= 0x61 && c <= 0x66)
			d = c - 0x61 + 10;
		else
			fail('vkey', 'not a verifier key (the key ID is not 8 ' +
			    'lowercase hex digits)');
		id = (id * 16 + d) >>> 0;
	}
	const r = s.length - (p2 + 1) > 48 ? null :
	    b64decodeBytes(s, p2 + 1, s.length);
	if (r === null || r.length !== 33 ||
	    (r[0] !== KEY_ED25519 && r[0] !== KEY_COSIGN))
		fail('vkey', 'not a verifier key (want base64 of a type byte ' +
		    '0x01 or 0x04 and a 32-byte Ed25519 key)');
	const pub = r.slice(1);
	const why = pubProblem(pub);
	if (why !== null)
		fail('weak-key', 'the key is a weak Ed25519 key: ' + why);
	const nameBytes = s.slice(0, p1);
	if (await keyId(nameBytes, r[0], pub) !== id)
		fail('vkey', 'the key ID does not match the key');
	return {
		name: text8.decode(nameBytes), nameBytes, id, type: r[0], pub,
		vkey: text8.decode(s),
	};
}

async function asKey(k) {
	return typeof k === 'string' || k instanceof Uint8Array ?
	    parseVkey(k) : k;
}

// ---- signed notes (c2sp.org/signed-note) ----------------------------------

const NOTE_MAX = 64 * 1024;
const NOTE_MAX_SIGS = 100;
const NOTE_SIG_MAX = 4096;
const SIG_B64_MAX = Math.floor((4 + NOTE_SIG_MAX + 2) / 3) * 4;

/**
 * Parse a signed note: { text (Uint8Array, ends in '\n'), sigs: [{ name,
 * nameBytes, id, sig }] }. Signatures are not checked here.
 */
export function parseNote(note) {
	const s = bytes(note);
	const len = s.length;
	if (len > NOTE_MAX)
		fail('note-format', 'the note is over 65536 bytes');
	if (!validText(s, 0, len))
		fail('note-format', 'the note is not UTF-8 text without control ' +
		    'characters');
	let split = -1;
	for (let i = len; i >= 2; i--)
		if (s[i - 1] === 0x0a && s[i - 2] === 0x0a) {
			split = i - 2;
			break;
		}
	if (split < 0)
		fail('note-format', 'the note has no blank line before its ' +
		    'signatures');
	let p = split + 2;
	if (p === len || s[len - 1] !== 0x0a)
		fail('note-format', 'the note has no signature lines');
	let count = 0;
	for (let i = p; i < len; i++)
		if (s[i] === 0x0a)
			count++;
	if (count > NOTE_MAX_SIGS)
		fail('note-format', 'the note has over 100 signatures');
	const sigs = [];
	while (p < len) {
		const nl = indexOf(s, 0x0a, p, len);
		sigs.push(parseSigLine(s, p, nl));
		p = nl + 1;
	}
	return { text: s.slice(0, split + 1), sigs };
}

function parseSigLine(s, from, to) {
	if (to - from < 4 || s[from] !== 0xe2 || s[from + 1] !== 0x80 ||
	    s[from + 2] !== 0x94 || s[from + 3] !== 0x20)
		fail('note-format', 'a signature line does not start with ' +
		    '"\u2014 "');
	from += 4;
	const sp = indexOf(s, 0x20, from, to);
	if (sp < 0 || !validName(s, from, sp) || hasUnicodeSpace(s, from, sp))
		fail('note-format', 'a signature line has no valid key name');
	if (to - sp - 1 > SIG_B64_MAX)
		fail('note-format', 'a signature is over 4096 bytes');
	const raw = b64decodeBytes(s, sp + 1, to);
	if (raw === null || raw.length < 5)
		fail('note-format', 'a signature is not base64 of a key ID and ' +
		    'a signature');
	if (raw.length - 4 > NOTE_SIG_MAX)
		fail('note-format', 'a signature is over 4096 bytes');
	const nameBytes = s.slice(from, sp);
	return {
		name: text8.decode(nameBytes), nameBytes,
		id: (raw[0] << 24 | raw[1] << 16 | raw[2] << 8 | raw[3]) >>> 0,
		sig: raw.slice(4),
	};
}

function be64(b) {
	let v = 0n;
	for (let i = 0; i < 8; i++)
		v = v << 8n | BigInt(b[i]);
	return v;
}

// One signature line s of the note n with its matching key k: true or false.
async function verifyOne(n, s, k) {
	if (k.type === KEY_ED25519)
		return s.sig.length === 64 && ed25519Verify(k.pub, s.sig, n.text);
	if (k.type === KEY_COSIGN) {
		if (s.sig.length !== 72)
			return false;
		const t = be64(s.sig);
		if (t > I64_MAX)
			return false;
		const m = concat(utf8.encode('cosignature/v1\ntime ' + t + '\n'),
		    n.text);
		return ed25519Verify(k.pub, s.sig.subarray(8), m);
	}
	return false;
}

function keyMatches(k, nameBytes, id) {
	return k.id === id && equal(k.nameBytes, nameBytes);
}

/**
 * Verify a parsed note against keys (parsed vkeys): every signature line
 * of a known key (same name and ID) must verify, and at least one known
 * key must have signed. Returns the names of the keys that signed; throws
 * 'note-signature' otherwise, as common/note.c note_verify.
 */
export async function verifyNoteSigs(n, keys) {
	const signed = [];
	for (let j = 0; j < keys.length; j++) {
		const k = keys[j];
		if (k == null)
			continue;
		let dup = false;
		for (let q = 0; q < j && !dup; q++)
			dup = keys[q] != null && keyMatches(keys[q], k.nameBytes, k.id);
		if (dup)
			continue;
		let ok = false;
		for (const s of n.sigs) {
			if (!keyMatches(k, s.nameBytes, s.id))
				continue;
			if (!await verifyOne(n, s, k))
				fail('note-signature', 'the signature of ' + k.name +
				    ' does not verify (wrong key or tampered note)');
			ok = true;
		}
		if (ok)
			signed.push(k.name);
	}
	if (signed.length === 0)
		fail('note-signature', 'no known key signed the note');
	return signed;
}

/** Parse a note and verify it against vkeys (strings or parsed keys). */
export async function verifyNote(note, vkeys) {
	const n = parseNote(note);
	const keys = [];
	for (const k of vkeys)
		keys.push(await asKey(k));
	const signedBy = await verifyNoteSigs(n, keys);
	return { text: n.text, sigs: n.sigs, signedBy };
}

// ---- checkpoints (c2sp.org/tlog-checkpoint) ---------------------------------

/** Parse a checkpoint body: { origin, size (BigInt), root, extensions }. */
export function parseCheckpoint(text) {
	const s = bytes(text);
	if (!noteTextValid(s))
		fail('checkpoint-format', 'not a checkpoint body');
	const lines = [];
	let off = 0, ext = 0;
	while (off < s.length) {
		const nl = indexOf(s, 0x0a, off, s.length);
		if (nl === off)
			fail('checkpoint-format', 'an empty line in the checkpoint');
		if (lines.length < 3)
			lines.push([off, nl]);
		else
			ext++;
		off = nl + 1;
	}
	if (lines.length < 3 || lines[0][1] - lines[0][0] > 255)
		fail('checkpoint-format', 'not a checkpoint body');
	const size = u64parse(s, lines[1][0], lines[1][1]);
	if (size === null)
		fail('checkpoint-format', 'the checkpoint size is not a number');
	const root = lines[2][1] - lines[2][0] !== 44 ? null :
	    b64decodeBytes(s, lines[2][0], lines[2][1]);
	if (root === null || root.length !== 32)
		fail('checkpoint-format', 'the checkpoint root is not base64 of ' +
		    '32 bytes');
	return {
		origin: text8.decode(s.subarray(lines[0][0], lines[0][1])),
		originBytes: s.slice(lines[0][0], lines[0][1]), size,
		root: root.slice(), extensions: ext,
	};
}

/**
 * Open a signed checkpoint with the log's key (as common/checkpoint.c
 * checkpoint_open): signed by it, its origin the key's name, no extension
 * lines. Returns { origin, size, root, note }.
 */
export async function openCheckpoint(note, logKey) {
	const log = await asKey(logKey);
	let n;
	try {
		n = parseNote(note);
	} catch (e) {
		fail('checkpoint-format', 'not a signed checkpoint note (' +
		    e.message + ')');
	}
	try {
		await verifyNoteSigs(n, [log]);
	} catch (e) {
		if (!(e instanceof VerifyError) || e.rule !== 'note-signature')
			throw e;
		fail('checkpoint-signature', 'the checkpoint is not signed by ' +
		    log.name + ' (wrong key or tampered checkpoint)');
	}
	let c;
	try {
		c = parseCheckpoint(n.text);
	} catch (e) {
		fail('checkpoint-format', 'not a signed checkpoint note (' +
		    e.message + ')');
	}
	if (!equal(c.originBytes, log.nameBytes))
		fail('checkpoint-signature', 'the checkpoint is not signed by ' +
		    log.name + ' (it is of the log ' + c.origin + ')');
	if (c.extensions > 0)
		fail('checkpoint-extensions', 'the checkpoint carries extension ' +
		    'lines, which this verifier does not read');
	return { origin: c.origin, size: c.size, root: c.root, note: n };
}

// ---- RFC 6962 / RFC 9162 Merkle proofs, like merkle/merkle.c ---------------

const MAX_PROOF = 66;

export async function leafHash(leaf) {
	return sha256(concat(Uint8Array.of(0), bytes(leaf)));
}

async function nodeHash(l, r) {
	return sha256(concat(Uint8Array.of(1), l, r));
}

function u64(x, what) {
	const v = BigInt(x);
	if (v < 0n || v > U64_MAX)
		fail('proof', what + ' is not a 64-bit unsigned integer');
	return v;
}

/**
 * Verify that leafHash32 is at index in the tree of size with root, by
 * the audit path proof (an array of 32-byte hashes). Throws 'inclusion'.
 */
export async function verifyInclusion(index, size, leafHash32, proof, root) {
	let fn = u64(index, 'the index'), sn = u64(size, 'the size');
	if (fn >= sn)
		fail('inclusion', 'index ' + fn + ' is not below the size ' + sn);
	if (!(leafHash32 instanceof Uint8Array) || leafHash32.length !== 32 ||
	    !(root instanceof Uint8Array) || root.length !== 32)
		fail('inclusion', 'the leaf hash and the root must be 32 bytes');
	if (proof.length > MAX_PROOF)
		fail('inclusion', 'the proof has over 66 hashes');
	sn -= 1n;
	let r = leafHash32;
	for (const h of proof) {
		if (h.length !== 32)
			fail('inclusion', 'a proof hash is not 32 bytes');
		if (sn === 0n)
			fail('inclusion', 'the proof has a hash too many');
		if ((fn & 1n) || fn === sn) {
			r = await nodeHash(h, r);
			if (!(fn & 1n))
				while (!(fn & 1n) && fn !== 0n) {
					fn >>= 1n;
					sn >>= 1n;
				}
		} else
			r = await nodeHash(r, h);
		fn >>= 1n;
		sn >>= 1n;
	}
	if (sn !== 0n)
		fail('inclusion', 'the proof has a hash too few');
	if (!equal(r, root))
		fail('inclusion', 'the inclusion proof of index ' + index +
		    ' fails against the root of the tree of size ' + size);
	return true;
}

/**
 * Verify that the tree of oldSize with oldRoot is a prefix of the tree of
 * newSize with newRoot. Throws 'consistency'.
 */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot,
    proof) {
	const m = u64(oldSize, 'the old size'), n = u64(newSize, 'the new size');
	if (m > n)
		fail('consistency', 'the old size is above the new size');
	if (!(oldRoot instanceof Uint8Array) || oldRoot.length !== 32 ||
	    !(newRoot instanceof Uint8Array) || newRoot.length !== 32)
		fail('consistency', 'the roots must be 32 bytes');
	if (proof.length > MAX_PROOF)
		fail('consistency', 'the proof has over 66 hashes');
	for (const h of proof)
		if (h.length !== 32)
			fail('consistency', 'a proof hash is not 32 bytes');
	if (m === n) {
		if (proof.length !== 0)
			fail('consistency', 'a proof between equal sizes must be ' +
			    'empty');
		if (!equal(oldRoot, newRoot))
			fail('consistency', 'two trees of size ' + m + ' with ' +
			    'different roots');
		return true;
	}
	if (m === 0n)
		fail('consistency', 'a consistency proof from size 0 proves ' +
		    'nothing');
	if (proof.length === 0)
		fail('consistency', 'the proof is empty');
	let c, first;
	if ((m & (m - 1n)) === 0n) {
		c = oldRoot;
		first = 0;
	} else {
		c = proof[0];
		first = 1;
	}
	let fn = m - 1n, sn = n - 1n;
	while (fn & 1n) {
		fn >>= 1n;
		sn >>= 1n;
	}
	let fr = c, sr = c;
	for (let i = first; i < proof.length; i++) {
		if (sn === 0n)
			fail('consistency', 'the proof has a hash too many');
		c = proof[i];
		if ((fn & 1n) || fn === sn) {
			fr = await nodeHash(c, fr);
			sr = await nodeHash(c, sr);
			if (!(fn & 1n))
				while (!(fn & 1n) && fn !== 0n) {
					fn >>= 1n;
					sn >>= 1n;
				}
		} else
			sr = await nodeHash(sr, c);
		fn >>= 1n;
		sn >>= 1n;
	}
	if (sn !== 0n)
		fail('consistency', 'the proof has a hash too few');
	if (!equal(fr, oldRoot) || !equal(sr, newRoot))
		fail('consistency', 'the consistency proof from size ' + m +
		    ' to ' + n + ' fails against the roots');
	return true;
}

// ---- C2SP tlog-policy, like common/policy.c and policy_check.c -------------

const POLICY_MAX_LOGS = 64, POLICY_MAX_WITNESSES = 64, POLICY_MAX_GROUPS = 64;
const POLICY_MAX_BYTES = 256 * 1024, POLICY_NAME_MAX = 255;
const POLICY_URL_MAX = 2048;
const MAX_NODES = POLICY_MAX_WITNESSES + POLICY_MAX_GROUPS;
const MAX_TOKENS = 3 + MAX_NODES + 1;

function tokIs(t, word) {
	return t.length === word.length && text8.decode(t) === word;
}

function tokKey(t) {
	return hex(t);
}

/**
 * Parse a tlog-policy file: logs, witnesses (cosignature/v1 keys), groups
 * k-of-n and one quorum. Refuses what common/policy.c refuses; the
 * VerifyError ('policy') names the line.
 */
export async function parsePolicy(text) {
	const s = bytes(text);
	if (s.length > POLICY_MAX_BYTES)
		fail('policy', 'the policy is over 262144 bytes');
	const p = { logs: [], witnesses: [], groups: [], nodes: [],
	    quorum: -1, quorumLine: 0 };
	let off = 0, line = 0;
	const pfail = (m) => fail('policy', 'line ' + line + ': ' + m);
	while (off < s.length) {
		line++;
		const nl = indexOf(s, 0x0a, off, s.length);
		if (nl < 0)
			pfail('no newline at the end of the last line');
		for (let i = off; i < nl; i++) {
			const c = s[i];
			if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f)))
				pfail('byte 0x' + c.toString(16).padStart(2, '0') +
				    ' at column ' + (i - off + 1) + ' is not allowed');
		}
		const t = [];
		let i = off;
		while (i < nl) {
			while (i < nl && (s[i] === 0x20 || s[i] === 0x09))
				i++;
			if (i === nl)
				break;
			const start = i;
			while (i < nl && s[i] !== 0x20 && s[i] !== 0x09)
				i++;
			if (t.length >= MAX_TOKENS)
				pfail('more than ' + MAX_TOKENS + ' items on one line');
			t.push(s.subarray(start, i));
		}
		off = nl + 1;
		if (t.length === 0 || t[0][0] === 0x23)
			continue;
		if (tokIs(t[0], 'log'))
			await policyLog(p, t, pfail);
		else if (tokIs(t[0], 'witness'))
			await policyWitness(p, t, pfail, line);
		else if (tokIs(t[0], 'group'))
			policyGroup(p, t, pfail, line);
		else if (tokIs(t[0], 'quorum'))
			policyQuorum(p, t, pfail, line);
		else
			pfail('unknown keyword ' + text8.decode(t[0]) +
			    ' (want log, witness, group or quorum)');
	}
	if (p.quorumLine === 0)
		fail('policy', 'no quorum line (a policy has exactly one)');
	return p;
}

function nodeFind(p, t) {
	const k = tokKey(t);
	return p.nodes.findIndex((n) => n.key === k);
}

function checkNewName(p, t, pfail) {
	if (t.length > POLICY_NAME_MAX)
		pfail('a name longer than 255 bytes');
	if (tokIs(t, 'none'))
		pfail('"none" is predefined and cannot be defined');
	if (nodeFind(p, t) >= 0)
		pfail(text8.decode(t) + ' is already defined');
	if (p.nodes.length >= MAX_NODES)
		pfail('too many names');
}

async function policyKey(p, t, want, what, pfail) {
	let k;
	try {
		k = await parseVkey(t);
	} catch (e) {
		if (!(e instanceof VerifyError))
			throw e;
		pfail(what + ' key ' + text8.decode(t) + ': ' + e.message);
	}
	if (k.type !== want)
		pfail(what + ' key ' + text8.decode(t) + ' has type 0x0' + k.type +
		    '; a ' + what + ' key must be type 0x0' + want);
	for (const o of p.logs.concat(p.witnesses))
		if (equal(o.key.pub, k.pub))
			pfail(what + ' key ' + text8.decode(t) + ': the same ' +
			    'public key is already listed');
	return k;
}

function policyUrl(t, pfail) {
	if (t === undefined)
		return null;
	if (t.length > POLICY_URL_MAX)
		pfail('a URL longer than 2048 bytes');
	return text8.decode(t);
}

async function policyLog(p, t, pfail) {
	if (t.length < 2 || t.length > 3)
		pfail('want "log <vkey> [<url>]", got ' + t.length + ' items');
	if (p.logs.length >= POLICY_MAX_LOGS)
		pfail('more than 64 logs');
	const key = await policyKey(p, t[1], KEY_ED25519, 'log', pfail);
	const url = policyUrl(t[2], pfail);
	p.logs.push({ key, url });
}

async function policyWitness(p, t, pfail, line) {
	if (t.length < 3 || t.length > 4)
		pfail('want "witness <name> <vkey> [<url>]", got ' + t.length +
		    ' items');
	if (p.witnesses.length >= POLICY_MAX_WITNESSES)
		pfail('more than 64 witnesses');
	checkNewName(p, t[1], pfail);
	const key = await policyKey(p, t[2], KEY_COSIGN, 'witness', pfail);
	const url = policyUrl(t[3], pfail);
	const name = text8.decode(t[1]);
	p.nodes.push({ key: tokKey(t[1]), name, group: false,
	    idx: p.witnesses.length, line, memberLine: 0 });
	p.witnesses.push({ name, key, url });
}

function policyGroup(p, t, pfail, line) {
	if (t.length < 4)
		pfail('want "group <name> <k>|all|any <member>..." with at ' +
		    'least one member');
	if (p.groups.length >= POLICY_MAX_GROUPS)
		pfail('more than 64 groups');
	checkNewName(p, t[1], pfail);
	const n = t.length - 3;
	let k;
	if (tokIs(t[2], 'all'))
		k = n;
	else if (tokIs(t[2], 'any'))
		k = 1;
	else {
		let v = 0;
		for (const c of t[2]) {
			if (c < 0x30 || c > 0x39)
				pfail('threshold ' + text8.decode(t[2]) + ' is not ' +
				    'a decimal number, "all" or "any"');
			if (v <= MAX_NODES)
				v = v * 10 + (c - 0x30);
		}
		if (v < 1 || v > n)
			pfail('threshold ' + text8.decode(t[2]) + ' out of range: ' +
			    '1 <= k <= ' + n);
		k = v;
	}
	const members = [];
	for (let i = 0; i < n; i++) {
		const mt = t[3 + i];
		if (tokIs(mt, 'none'))
			pfail('"none" cannot be a group member');
		const m = nodeFind(p, mt);
		if (m < 0)
			pfail('member ' + text8.decode(mt) + ' is not defined on a ' +
			    'line above');
		if (members.includes(m) || p.nodes[m].memberLine !== 0)
			pfail(text8.decode(mt) + ' is already a member of a group');
		members.push(m);
	}
	for (const m of members)
		p.nodes[m].memberLine = line;
	const name = text8.decode(t[1]);
	p.nodes.push({ key: tokKey(t[1]), name, group: true,
	    idx: p.groups.length, line, memberLine: 0 });
	p.groups.push({ name, k, n, members });
}

function policyQuorum(p, t, pfail, line) {
	if (t.length !== 2)
		pfail('want "quorum <name>|none", got ' + t.length + ' items');
	if (p.quorumLine !== 0)
		pfail('a second quorum line; exactly one is allowed');
	let m = -1;
	if (!tokIs(t[1], 'none') && (m = nodeFind(p, t[1])) < 0)
		pfail('quorum ' + text8.decode(t[1]) + ' is not a witness or ' +
		    'group defined on a line above');
	p.quorum = m;
	p.quorumLine = line;
}

function lineOf(n, k) {
	return n.sigs.find((s) => keyMatches(k, s.nameBytes, s.id));
}

function quorumMet(p, cosig) {
	if (p.quorum < 0)
		return true;
	const sat = [];
	for (let m = 0; m < p.nodes.length; m++) {
		const nd = p.nodes[m];
		if (!nd.group)
			sat.push(cosig[nd.idx] === 'ok');
		else {
			const g = p.groups[nd.idx];
			let c = 0;
			for (const x of g.members)
				c += sat[x] ? 1 : 0;
			sat.push(c >= g.k);
		}
	}
	return sat[p.quorum];
}

/**
 * Check a parsed checkpoint note against a policy (common/policy_check.c):
 * a log key of the origin signed it, every line of a known key verifies,
 * and the witnesses with a verified cosignature of a non-zero time meet
 * the quorum. Returns { size, log, cosignedBy: [witness names] }.
 */
export async function checkPolicy(policy, n) {
	let c;
	try {
		c = parseCheckpoint(n.text);
	} catch (e) {
		fail('not-a-checkpoint', 'not a checkpoint');
	}
	const logs = policy.logs.filter((l) => equal(l.key.nameBytes,
	    c.originBytes));
	if (logs.length === 0)
		fail('unknown-origin', 'origin ' + c.origin + ' is not a log of ' +
		    'the policy');
	let log = null;
	for (const l of logs) {
		if (lineOf(n, l.key) === undefined)
			continue;
		try {
			await verifyNoteSigs(n, [l.key]);
		} catch (e) {
			fail('bad-log-signature', 'the signature of log key ' +
			    l.key.name + ' does not verify');
		}
		if (log === null)
			log = l;
	}
	if (log === null)
		fail('no-log-signature', 'no signature by a log key of the ' +
		    'policy for origin ' + c.origin);
	const cosig = [];
	for (const w of policy.witnesses) {
		const s = lineOf(n, w.key);
		if (s === undefined) {
			cosig.push('missing');
			continue;
		}
		try {
			await verifyNoteSigs(n, [w.key]);
		} catch (e) {
			fail('bad-cosignature', 'the cosignature of witness ' +
			    w.name + ' does not verify; a note with a failing ' +
			    'signature of a known key is refused whole');
		}
		const t = s.sig.length === 72 ? be64(s.sig) : 0n;
		cosig.push(t === 0n ? 'zero-time' : 'ok');
	}
	const cosignedBy = policy.witnesses.filter((w, i) => cosig[i] === 'ok')
	    .map((w) => w.name);
	if (!quorumMet(policy, cosig))
		fail('quorum-not-met', 'quorum ' + policyQuorumName(policy) +
		    ' not met; cosigned by ' + (cosignedBy.join(', ') || 'none'));
	return { size: c.size, log: log.key.name, cosignedBy };
}

function policyQuorumName(p) {
	return p.quorum < 0 ? 'none' : p.nodes[p.quorum].name;
}

/**
 * What a verifier trusts: { log } (a vkey alone) or { policy, log? } (a
 * parsed or textual policy; log picks one of its logs, needed if it
 * lists several), as common/trust.c trust_init.
 */
export async function makeTrust({ log, policy } = {}) {
	const key = log != null ? await asKey(log) : null;
	if (policy == null) {
		if (key === null)
			fail('trust', 'no log key');
		return { log: key, policy: null };
	}
	const p = typeof policy === 'string' || policy instanceof Uint8Array ?
	    await parsePolicy(policy) : policy;
	if (key === null) {
		if (p.logs.length !== 1)
			fail('trust', 'the policy lists ' + p.logs.length + ' logs: ' +
			    'say which one to use');
		return { log: p.logs[0].key, policy: p };
	}
	for (const l of p.logs)
		if (equal(l.key.nameBytes, key.nameBytes) &&
		    l.key.type === key.type && equal(l.key.pub, key.pub))
			return { log: l.key, policy: p };
	fail('trust', 'the log key ' + key.name + ' is not a log of the policy');
}

/**
 * Open a signed checkpoint under a trust (makeTrust): the log's
 * signature, and with a policy its quorum of cosignatures. Returns
 * { origin, size, root, signedBy, cosignedBy, quorum }.
 */
export async function openCheckpointTrusted(note, trust) {
	const c = await openCheckpoint(note, trust.log);
	const out = { origin: c.origin, size: c.size, root: c.root,
	    signedBy: trust.log.name, cosignedBy: [], quorum: null };
	if (trust.policy === null)
		return out;
	let r;
	try {
		r = await checkPolicy(trust.policy, parseNote(note));
	} catch (e) {
		if (!(e instanceof VerifyError))
			throw e;
		fail(e.rule, 'the checkpoint of size ' + c.size + ' does not ' +
		    'satisfy the policy: ' + e.message);
	}
	out.cosignedBy = r.cosignedBy;
	out.quorum = policyQuorumName(trust.policy);
	return out;
}

// ---- receipts (c2sp.org/tlog-proof@v1), like common/tlog_proof.c -----------

const PROOF_HEADER = utf8.encode('c2sp.org/tlog-proof@v1\n');
const PROOF_EXTRA_MAX = 65535;
const PROOF_EXTRA_B64_MAX = Math.floor((PROOF_EXTRA_MAX + 2) / 3) * 4;
const PROOF_MAX = PROOF_HEADER.length + 6 + PROOF_EXTRA_B64_MAX + 1 + 6 +
    20 + 1 + MAX_PROOF * 45 + 1 + NOTE_MAX;

function startsWith(s, from, to, word) {
	if (to - from < word.length)
		return false;
	for (let i = 0; i < word.length; i++)
		if (s[from + i] !== word.charCodeAt(i))
			return false;
	return true;
}

/**
 * Parse a receipt: { extra (the leaf bytes, or null), index (BigInt),
 * proof: [32-byte hashes], checkpoint (the signed note bytes) }.
 */
export function parseReceipt(receipt) {
	const s = bytes(receipt);
	const len = s.length;
	const bad = (m) => fail('receipt-format',
	    'not a c2sp.org/tlog-proof@v1 receipt (' + m + ')');
	if (len > PROOF_MAX)
		bad('too long');
	if (len < PROOF_HEADER.length ||
	    !equal(s.subarray(0, PROOF_HEADER.length), PROOF_HEADER))
		bad('no c2sp.org/tlog-proof@v1 header');
	let off = PROOF_HEADER.length;
	const next = () => {
		const nl = off < len ? indexOf(s, 0x0a, off, len) : -1;
		if (nl < 0)
			bad('a line does not end');
		const l = [off, nl];
		off = nl + 1;
		return l;
	};
	let [a, b] = next();
	let extra = null;
	if (startsWith(s, a, b, 'extra ')) {
		a += 6;
		if (b === a || b - a > PROOF_EXTRA_B64_MAX)
			bad('bad extra line');
		extra = b64decodeBytes(s, a, b);
		if (extra === null || extra.length === 0 ||
		    extra.length > PROOF_EXTRA_MAX)
			bad('the extra line is not base64');
		[a, b] = next();
	}
	const index = startsWith(s, a, b, 'index ') ?
	    u64parse(s, a + 6, b) : null;
	if (index === null)
		bad('no index line');
	const proof = [];
	for (;;) {
		[a, b] = next();
		if (a === b)
			break;
		const h = proof.length === MAX_PROOF || b - a !== 44 ? null :
		    b64decodeBytes(s, a, b);
		if (h === null || h.length !== 32)
			bad('a proof line is not base64 of 32 bytes');
		proof.push(h.slice());
	}
	const checkpoint = s.slice(off);
	try {
		parseNote(checkpoint);
	} catch (e) {
		bad('the checkpoint is not a signed note: ' + e.message);
	}
	return { extra: extra && extra.slice(), index, proof, checkpoint };
}

/**
 * Verify a receipt as `ledger verify` does (client/client.c): its
 * checkpoint opened under trust (makeTrust, or a vkey string), the leaf
 * of its extra line included at its index, the leaf a canonical leaf
 * whose own index is that index. Returns { index, leaf (decoded), leafBytes,
 * leafHash, checkpoint: { origin, size, root, signedBy, cosignedBy,
 * quorum } }.
 */
export async function verifyReceipt(receipt, trust) {
	if (typeof trust === 'string' || trust instanceof Uint8Array ||
	    (trust && trust.policy === undefined))
		trust = await makeTrust({ log: trust });
	const p = parseReceipt(receipt);
	const cp = await openCheckpointTrusted(p.checkpoint, trust);
	if (p.extra === null)
		fail('receipt-format', 'the receipt carries no leaf (no extra ' +
		    'line)');
	const lh = await leafHash(p.extra);
	try {
		await verifyInclusion(p.index, cp.size, lh, p.proof, cp.root);
	} catch (e) {
		if (!(e instanceof VerifyError))
			throw e;
		fail('inclusion', 'the leaf is not in the tree: inclusion proof ' +
		    'of index ' + p.index + ' fails against the checkpoint root');
	}
	const leaf = decodeLeaf(p.extra);
	if (leaf.index !== p.index)
		fail('leaf-index', 'the leaf says index ' + leaf.index +
		    ', the proof ' + p.index);
	return { index: p.index, leaf, leafBytes: p.extra, leafHash: lh,
	    checkpoint: cp };
}

// ---- leaves: a strict reader of the canonical msgpack leaf format ---------
// (docs/protocol.md section 3, common/codec.c). It accepts only the one
// canonical encoding of each value, so that decoding succeeds exactly
// when the C decoder's decode-and-re-encode comparison does.

export const LEAF_VERSION = 2n;
export const KINDS = ['', 'issuer', 'method', 'batch', 'credit', 'retire',
    'reverse'];
const LEAF_MAX = 65535, BATCH_MAX = 10000, ID_MAX = 64, ACCOUNT_MAX = 64;
const TEXT_MAX = 256, REFERENCE_MAX = 1024;
const NO_INDEX = U64_MAX;

class Reader {
	constructor(b) {
		this.b = b;
		this.o = 0;
	}
	bad() {
		fail('leaf', 'the leaf is not a canonical leaf (byte ' + this.o +
		    ')');
	}
	byte() {
		if (this.o >= this.b.length)
			this.bad();
		return this.b[this.o++];
	}
	be(k) {
		let v = 0n;
		for (let i = 0; i < k; i++)
			v = v << 8n | BigInt(this.byte());
		return v;
	}
	peekNil() {
		if (this.o < this.b.length && this.b[this.o] === 0xc0) {
			this.o++;
			return true;
		}
		return false;
	}
	uint() {
		const c = this.byte();
		let v, min;
		if (c <= 0x7f)
			return BigInt(c);
		if (c === 0xcc) {
			v = this.be(1);
			min = 0x80n;
		} else if (c === 0xcd) {
			v = this.be(2);
			min = 0x100n;
		} else if (c === 0xce) {
			v = this.be(4);
			min = 0x10000n;
		} else if (c === 0xcf) {
			v = this.be(8);
			min = 0x100000000n;
		} else
			this.bad();
		if (v < min)
			this.bad();
		return v;
	}
	u32() {
		const v = this.uint();
		if (v > 0xffffffffn)
			this.bad();
		return Number(v);
	}
	array(n) {
		const c = this.byte();
		let len;
		if ((c & 0xf0) === 0x90)
			len = c & 0x0f;
		else if (c === 0xdc) {
			len = Number(this.be(2));
			if (len < 16)
				this.bad();
		} else if (c === 0xdd) {
			len = Number(this.be(4));
			if (len < 0x10000)
				this.bad();
		} else
			this.bad();
		if (n !== undefined && len !== n)
			this.bad();
		return len;
	}
	raw(len) {
		if (this.b.length - this.o < len)
			this.bad();
		const r = this.b.slice(this.o, this.o + len);
		this.o += len;
		return r;
	}
	bin(n) {
		const c = this.byte();
		let len;
		if (c === 0xc4)
			len = Number(this.be(1));
		else if (c === 0xc5) {
			len = Number(this.be(2));
			if (len < 256)
				this.bad();
		} else
			this.bad();
		if (len !== n)
			this.bad();
		return this.raw(len);
	}
	str(max) {
		const c = this.byte();
		let len;
		if ((c & 0xe0) === 0xa0)
			len = c & 0x1f;
		else if (c === 0xd9) {
			len = Number(this.be(1));
			if (len < 32)
				this.bad();
		} else if (c === 0xda) {
			len = Number(this.be(2));
			if (len < 256)
				this.bad();
		} else
			this.bad();
		if (len > max)
			this.bad();
		const r = this.raw(len);
		return text8.decode(r);
	}
	strBytes(max) {
		const start = this.o;
		this.str(max);
		const c = this.b[start];
		const h = (c & 0xe0) === 0xa0 ? 1 : c === 0xd9 ? 2 : 3;
		return this.b.subarray(start + h, this.o);
	}
	index() {
		if (this.peekNil())
			return null;
		const v = this.uint();
		if (v === NO_INDEX)
			this.bad();
		return v;
	}
}

function idChar(c) {
	return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
	    (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2d;
}

function validId(s, max, extra) {
	if (s.length === 0 || s.length > max)
		return false;
	for (const c of s)
		if (!idChar(c) && !(extra && (c === 0x3a || c === 0x7e)))
			return false;
	return true;
}

// common/entry.c entry_valid_text: UTF-8, no controls (C0, DEL, C1).
function validEntryText(p, max) {
	const len = p.length;
	if (len === 0 || len > max)
		return false;
	let i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] === 0x7f)
				return false;
			i++;
			continue;
		}
		let n, cp;
		if ((p[i] & 0xe0) === 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) === 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) === 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return false;
		for (let k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) !== 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n === 1 && cp < 0x80) || (n === 2 && cp < 0x800) ||
		    (n === 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
		i += n + 1;
	}
	return true;
}

function readEntry(r, kind) {
	const start = r.o;
	const n = r.array();
	if (n < 1)
		r.bad();
	const k = r.uint();
	if (k !== BigInt(kind))
		r.bad();
	const e = { kind: KINDS[kind] };
	const want = kind === 4 ? 8 : kind === 5 ? 6 : 5;
	if (n !== want)
		r.bad();
	if (kind === 4) {
		const acct = r.strBytes(ACCOUNT_MAX);
		const meth = r.strBytes(ID_MAX);
		e.account = text8.decode(acct);
		e.method = text8.decode(meth);
		e.units = r.uint();
		e.grams = r.uint();
		e.day = r.u32();
		e.dedup = r.bin(32);
		e.evidence = r.peekNil() ? null : r.bin(32);
		if (!validId(acct, ACCOUNT_MAX, true) ||
		    !validId(meth, ID_MAX, false) || e.units === 0n ||
		    e.grams === 0n)
			r.bad();
	} else if (kind === 5) {
		const acct = r.strBytes(ACCOUNT_MAX);
		e.account = text8.decode(acct);
		e.grams = r.uint();
		const t = r.strBytes(TEXT_MAX);
		e.beneficiary = text8.decode(t);
		e.day = r.u32();
		e.dedup = r.bin(32);
		if (!validId(acct, ACCOUNT_MAX, true) || e.grams === 0n ||
		    !validEntryText(t, TEXT_MAX))
			r.bad();
	} else {
		e.target = r.uint();
		const t = r.strBytes(TEXT_MAX);
		e.reason = text8.decode(t);
		e.day = r.u32();
		e.dedup = r.bin(32);
		if (!validEntryText(t, TEXT_MAX))
			r.bad();
	}
	e.bytes = r.b.slice(start, r.o);
	return e;
}

function readCounters(r) {
	r.array(4);
	return { credited: r.uint(), retired: r.uint(), reversed: r.uint(),
	    prev: r.index() };
}

/**
 * Decode a leaf (its bytes, as verified: a receipt's extra line, a
 * tile's entry) into an object; refuses ('leaf') anything but the one
 * canonical encoding of a version 2 leaf. u64 fields are BigInt.
 */
export function decodeLeaf(leaf) {
	const b = bytes(leaf);
	if (b.length === 0 || b.length > LEAF_MAX)
		fail('leaf', 'a leaf is 1..65535 bytes');
	const r = new Reader(b);
	const n = r.array();
	if (n < 5)
		r.bad();
	const version = r.uint();
	if (version !== LEAF_VERSION)
		fail('leaf', 'the leaf is of leaf format version ' + version +
		    '; this library reads version 2 only');
	const kind = r.uint();
	if (kind < 1n || kind > 6n)
		r.bad();
	const k = Number(kind);
	if (n !== (k <= 3 ? 7 : 12))
		r.bad();
	const l = { kind: KINDS[k], index: r.uint(), time: r.uint(),
	    prev: r.bin(32) };
	if (k === 1) {
		r.array(3);
		l.issuer = { id: r.str(ID_MAX), name: r.str(TEXT_MAX),
		    key: r.bin(32) };
	} else if (k === 2) {
		r.array(9);
		l.method = { id: r.str(ID_MAX), activity: r.str(TEXT_MAX),
		    unit: r.str(TEXT_MAX), gramsPerUnit: r.uint(),
		    maxEvent: r.uint(), maxDay: r.uint(), validFrom: r.u32(),
		    maxEventAgeDays: r.u32(), reference: r.str(REFERENCE_MAX) };
	} else if (k === 3) {
		r.array(5);
		l.batch = { issuer: r.str(ID_MAX), n: r.u32(), root: r.bin(32),
		    sig: r.bin(64), runs: [] };
		const nr = r.array();
		if (nr > BATCH_MAX)
			r.bad();
		for (let i = 0; i < nr; i++) {
			r.array(3);
			l.batch.runs.push({ pos: r.u32(), count: r.u32(),
			    index: r.uint() });
		}
	} else {
		l.issuer = r.str(ID_MAX);
		l.batch = r.uint();
		l.pos = r.u32();
		l.entry = readEntry(r, k);
		l.account = readCounters(r);
		l.issuerCounters = readCounters(r);
	}
	r.array(9);
	l.totals = { credited: r.uint(), retired: r.uint(), reversed: r.uint(),
	    count: [] };
	for (let i = 1; i <= 6; i++)
		l.totals.count.push(r.uint());
	if (r.o !== b.length)
		r.bad();
	return l;
}
