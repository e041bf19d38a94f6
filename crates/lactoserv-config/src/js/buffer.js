// node:buffer — `Buffer` as a `Uint8Array` subclass with the encodings
// configs use (utf8, hex, base64, latin1/binary, ascii).
(({ native }) => {

  const normalizeEncoding = (encoding) => {
    const enc = String(encoding ?? 'utf8').toLowerCase();
    switch (enc) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'hex': return 'hex';
      case 'base64': case 'base64url': return enc;
      case 'latin1': case 'binary': return 'latin1';
      case 'ascii': return 'ascii';
      default: throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  };

  const encodeString = (string, encoding) => {
    switch (normalizeEncoding(encoding)) {
      case 'utf8': return new Uint8Array(native.utf8Encode(string));
      case 'hex': {
        const out = new Uint8Array(Math.floor(string.length / 2));
        for (let i = 0; i < out.length; i++) {
          const byte = parseInt(string.substr(i * 2, 2), 16);
          if (Number.isNaN(byte)) return out.subarray(0, i);
          out[i] = byte;
        }
        return out;
      }
      case 'base64': case 'base64url': {
        // Like Node's decoder: either alphabet, anything else skipped, and
        // a dangling last character (6 bits, no whole byte) ignored.
        const clean = string.replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
        const usable = (clean.length % 4 === 1) ? clean.slice(0, -1) : clean;
        return encodeString(atob(usable + '='.repeat((4 - (usable.length % 4)) % 4)), 'latin1');
      }
      case 'latin1': case 'ascii': {
        const out = new Uint8Array(string.length);
        for (let i = 0; i < string.length; i++) out[i] = string.charCodeAt(i) & 0xff;
        return out;
      }
    }
  };

  const decodeBytes = (bytes, encoding) => {
    switch (normalizeEncoding(encoding)) {
      case 'utf8': return native.utf8Decode(Array.from(bytes));
      case 'hex': return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      case 'base64': case 'base64url': {
        let out = btoa(decodeBytes(bytes, 'latin1'));
        if (normalizeEncoding(encoding) === 'base64url') {
          out = out.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        }
        return out;
      }
      case 'latin1': {
        // In slices: spreading a large buffer into one call overflows the
        // engine's argument limit.
        let out = '';
        for (let i = 0; i < bytes.length; i += 0x2000) {
          out += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
        }
        return out;
      }
      case 'ascii': return decodeBytes(bytes.map((b) => b & 0x7f), 'latin1');
    }
  };

  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (typeof value === 'string') {
        const bytes = encodeString(value, encodingOrOffset);
        return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length);
      }
      if (value instanceof ArrayBuffer) {
        return new Buffer(value, encodingOrOffset ?? 0, length ?? (value.byteLength - (encodingOrOffset ?? 0)));
      }
      if (ArrayBuffer.isView(value) || Array.isArray(value)) {
        const out = new Buffer(value.length);
        out.set(value);
        return out;
      }
      if (value && value.type === 'Buffer' && Array.isArray(value.data)) {
        return Buffer.from(value.data);
      }
      throw new TypeError('Buffer.from: expected a string, array, ArrayBuffer or typed array');
    }

    static alloc(size, fill = 0) {
      const out = new Buffer(size);
      if (fill !== 0) out.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill);
      return out;
    }

    static isBuffer(value) { return value instanceof Buffer; }

    static isEncoding(encoding) {
      try { normalizeEncoding(encoding); return true; } catch { return false; }
    }

    static byteLength(value, encoding) {
      return (typeof value === 'string') ? encodeString(value, encoding).length : value.byteLength;
    }

    static concat(list, totalLength) {
      const total = totalLength ?? list.reduce((sum, item) => sum + item.length, 0);
      const out = Buffer.alloc(total);
      let at = 0;
      for (const item of list) {
        if (at >= total) break;
        out.set(item.subarray(0, total - at), at);
        at += item.length;
      }
      return out;
    }

    toString(encoding = 'utf8', start = 0, end = this.length) {
      return decodeBytes(this.subarray(start, end), encoding);
    }

    toJSON() { return { type: 'Buffer', data: Array.from(this) }; }

    equals(other) {
      return this.length === other.length && this.every((byte, i) => byte === other[i]);
    }

    slice(start, end) { return this.subarray(start, end); }
  }

  return { Buffer, default: { Buffer } };
})
