// node:fs and node:fs/promises — read-only file access, with Node-shaped
// errors (`ENOENT: no such file or directory, open '<path>'`, with `.code`,
// `.syscall` and `.path`). The async forms wrap the synchronous host calls:
// a config is evaluated once, off the serving path.
(({ native, Buffer, fileURLToPath, URL }) => {

  const toPath = (value) => {
    if (value instanceof URL) return fileURLToPath(value);
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    if (typeof value === 'string') return value;
    const error = new TypeError(`The "path" argument must be of type string or an instance of Buffer or URL. Received ${(value === null) ? 'null' : typeof value}`);
    error.code = 'ERR_INVALID_ARG_TYPE';
    throw error;
  };

  // Calls a host file operation; turns its `{ error }` answer into a thrown
  // Node-style error.
  const call = (op, path, ...args) => {
    const result = native.fs(op, path, ...args);
    if (result.error) {
      const { code, errno, description, syscall } = result.error;
      const error = new Error(`${code}: ${description}, ${syscall} '${path}'`);
      Object.assign(error, { errno, code, syscall, path });
      throw error;
    }
    return result.value;
  };

  class Stats {
    #kind;
    constructor(raw) { Object.assign(this, raw.fields); this.#kind = raw.kind; }
    isFile() { return this.#kind === 'file'; }
    isDirectory() { return this.#kind === 'directory'; }
    isSymbolicLink() { return this.#kind === 'symlink'; }
    isFIFO() { return this.#kind === 'fifo'; }
    isSocket() { return this.#kind === 'socket'; }
    isBlockDevice() { return this.#kind === 'block'; }
    isCharacterDevice() { return this.#kind === 'char'; }
    get mtime() { return new Date(this.mtimeMs); }
    get atime() { return new Date(this.atimeMs); }
    get ctime() { return new Date(this.ctimeMs); }
    get birthtime() { return new Date(this.birthtimeMs); }
  }

  const encodingOf = (options) =>
    (typeof options === 'string') ? options : (options?.encoding ?? null);

  const readFileSync = (path, options) => {
    const bytes = Buffer.from(call('readFile', toPath(path)));
    const encoding = encodingOf(options);
    return encoding ? bytes.toString(encoding) : bytes;
  };
  const readdirSync = (path, options) => {
    const names = call('readdir', toPath(path));
    return (encodingOf(options) === 'buffer') ? names.map((n) => Buffer.from(n)) : names;
  };
  const statSync = (path) => new Stats(call('stat', toPath(path)));
  const lstatSync = (path) => new Stats(call('lstat', toPath(path)));
  const realpathSync = (path) => call('realpath', toPath(path));
  const accessSync = (path, mode = 0) => { call('access', toPath(path), mode); };
  const existsSync = (path) => {
    try { accessSync(path); return true; } catch { return false; }
  };

  const constants = Object.freeze({ F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 });

  // Each async function runs its sync twin, so its errors become rejections.
  const async = (fn) => async (...args) => fn(...args);
  const promises = {
    readFile: async(readFileSync),
    readdir: async(readdirSync),
    stat: async(statSync),
    lstat: async(lstatSync),
    realpath: async(realpathSync),
    access: async(accessSync),
    constants,
  };

  const sync = { readFileSync, readdirSync, statSync, lstatSync, realpathSync, accessSync,
    existsSync, constants, promises, Stats };
  return {
    sync: { ...sync, default: sync },
    promises: { ...promises, default: promises },
  };
})
