// node:url — WHATWG `URL` (parsed in Rust by the `url` crate, so the
// getters are exact), a small `URLSearchParams`, and the file-URL helpers.
(({ native }) => {

  const records = new WeakMap();
  const COMPONENTS = ['href', 'protocol', 'username', 'password', 'host', 'hostname',
    'port', 'pathname', 'search', 'hash'];

  const decodeForm = (text) => decodeURIComponent(text.replace(/\+/g, ' '));
  const encodeForm = (text) => encodeURIComponent(text).replace(/%20/g, '+');

  class URLSearchParams {
    #pairs = [];
    #url = null;

    constructor(init = '') {
      if (typeof init === 'string') {
        for (const part of init.replace(/^\?/, '').split('&')) {
          if (part === '') continue;
          const eq = part.indexOf('=');
          const [key, value] = (eq < 0) ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
          this.#pairs.push([decodeForm(key), decodeForm(value)]);
        }
      } else if (init && typeof init[Symbol.iterator] === 'function') {
        for (const [key, value] of init) this.#pairs.push([String(key), String(value)]);
      } else if (init && typeof init === 'object') {
        for (const key of Object.keys(init)) this.#pairs.push([key, String(init[key])]);
      }
    }

    static _linked(url) {
      const params = new URLSearchParams(url.search);
      params.#url = url;
      return params;
    }

    #update() {
      if (this.#url) {
        const text = this.toString();
        this.#url.search = text ? `?${text}` : '';
      }
    }

    get size() { return this.#pairs.length; }
    append(key, value) { this.#pairs.push([String(key), String(value)]); this.#update(); }
    delete(key) { this.#pairs = this.#pairs.filter(([k]) => k !== key); this.#update(); }
    get(key) { return this.#pairs.find(([k]) => k === key)?.[1] ?? null; }
    getAll(key) { return this.#pairs.filter(([k]) => k === key).map(([, v]) => v); }
    has(key) { return this.#pairs.some(([k]) => k === key); }
    set(key, value) {
      const at = this.#pairs.findIndex(([k]) => k === key);
      if (at < 0) {
        this.#pairs.push([String(key), String(value)]);
      } else {
        this.#pairs[at][1] = String(value);
        this.#pairs = this.#pairs.filter(([k], i) => (k !== key) || (i === at));
      }
      this.#update();
    }
    sort() { this.#pairs.sort(([a], [b]) => (a < b) ? -1 : (a > b) ? 1 : 0); this.#update(); }
    forEach(fn, thisArg) { for (const [k, v] of this.#pairs) fn.call(thisArg, v, k, this); }
    *entries() { for (const [k, v] of this.#pairs) yield [k, v]; }
    *keys() { for (const [k] of this.#pairs) yield k; }
    *values() { for (const [, v] of this.#pairs) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return this.#pairs.map(([k, v]) => `${encodeForm(k)}=${encodeForm(v)}`).join('&'); }
  }

  class URL {
    constructor(input, base) {
      const record = (base === undefined)
        ? native.urlParse(String(input))
        : native.urlParse(String(input), String(base));
      if (!record) {
        const error = new TypeError(`Invalid URL: ${input}`);
        error.code = 'ERR_INVALID_URL';
        error.input = String(input);
        throw error;
      }
      records.set(this, record);
    }

    static canParse(input, base) {
      return Boolean((base === undefined)
        ? native.urlParse(String(input))
        : native.urlParse(String(input), String(base)));
    }

    get origin() { return records.get(this).origin; }
    get searchParams() { return URLSearchParams._linked(this); }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }

  for (const component of COMPONENTS) {
    Object.defineProperty(URL.prototype, component, {
      configurable: true,
      enumerable: true,
      get() { return records.get(this)[component]; },
      set(value) {
        const record = native.urlSet(records.get(this).href, component, String(value));
        if (record) {
          records.set(this, record);
        } else if (component === 'href') {
          throw new TypeError(`Invalid URL: ${value}`);
        }
      },
    });
  }

  const fileURLToPath = (url) => {
    const parsed = (url instanceof URL) ? url : new URL(String(url));
    if (parsed.protocol !== 'file:') {
      const error = new TypeError('The URL must be of scheme file');
      error.code = 'ERR_INVALID_URL_SCHEME';
      throw error;
    }
    if (parsed.hostname !== '') {
      const error = new TypeError('File URL host must be "localhost" or empty on linux');
      error.code = 'ERR_INVALID_FILE_URL_HOST';
      throw error;
    }
    if (/%2f/i.test(parsed.pathname)) {
      const error = new TypeError('File URL path must not include encoded / characters');
      error.code = 'ERR_INVALID_FILE_URL_PATH';
      throw error;
    }
    return decodeURIComponent(parsed.pathname);
  };

  const pathToFileURL = (path) => new URL(native.pathToFileUrl(String(path)));

  const exports = { URL, URLSearchParams, fileURLToPath, pathToFileURL };
  return { ...exports, default: exports };
})
