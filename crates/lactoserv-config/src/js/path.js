// node:path — the POSIX functions configs use to build file paths.
(({ native }) => {

  const normalizeParts = (path, allowAboveRoot) => {
    const out = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..') {
          out.pop();
        } else if (allowAboveRoot) {
          out.push('..');
        }
      } else {
        out.push(part);
      }
    }
    return out;
  };

  const check = (path) => {
    if (typeof path !== 'string') {
      throw new TypeError(`The "path" argument must be of type string. Received ${typeof path}`);
    }
    return path;
  };

  const isAbsolute = (path) => check(path).startsWith('/');

  const normalize = (path) => {
    check(path);
    if (path === '') return '.';
    const absolute = path.startsWith('/');
    const trailing = path.endsWith('/');
    let result = normalizeParts(path, !absolute).join('/');
    if (result === '' && !absolute) result = '.';
    if (result !== '' && trailing) result += '/';
    return absolute ? `/${result}` : result;
  };

  const join = (...parts) => {
    const joined = parts.map(check).filter((p) => p !== '').join('/');
    return (joined === '') ? '.' : normalize(joined);
  };

  const resolve = (...parts) => {
    let resolved = '';
    for (let i = parts.length - 1; i >= 0 && !resolved.startsWith('/'); i--) {
      const part = check(parts[i]);
      if (part !== '') resolved = resolved ? `${part}/${resolved}` : part;
    }
    if (!resolved.startsWith('/')) {
      resolved = resolved ? `${native.cwd()}/${resolved}` : native.cwd();
    }
    return `/${normalizeParts(resolved, false).join('/')}`;
  };

  const trimTrailing = (path) => (path.length > 1) ? path.replace(/\/+$/, '') || '/' : path;

  const dirname = (path) => {
    check(path);
    const trimmed = trimTrailing(path);
    const at = trimmed.lastIndexOf('/');
    if (at < 0) return '.';
    if (at === 0) return '/';
    return trimmed.slice(0, at);
  };

  const basename = (path, ext) => {
    check(path);
    const trimmed = trimTrailing(path);
    let base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
    if (ext !== undefined && base.endsWith(ext) && base !== ext) {
      base = base.slice(0, base.length - ext.length);
    }
    return base;
  };

  const extname = (path) => {
    const base = basename(path);
    const at = base.lastIndexOf('.');
    return (at <= 0) ? '' : base.slice(at);
  };

  const relative = (from, to) => {
    const fromParts = normalizeParts(resolve(from), false);
    const toParts = normalizeParts(resolve(to), false);
    let common = 0;
    while (common < fromParts.length && common < toParts.length
      && fromParts[common] === toParts[common]) {
      common++;
    }
    const up = fromParts.slice(common).map(() => '..');
    return [...up, ...toParts.slice(common)].join('/');
  };

  const parse = (path) => {
    const root = isAbsolute(path) ? '/' : '';
    const base = basename(path);
    const ext = extname(path);
    const dir = (path.includes('/')) ? dirname(path) : '';
    return { root, dir, base, ext, name: base.slice(0, base.length - ext.length) };
  };

  const format = ({ root = '', dir, base, name = '', ext = '' }) => {
    const file = base ?? `${name}${ext}`;
    if (!dir) return `${root}${file}`;
    return (dir === root) ? `${dir}${file}` : `${dir}/${file}`;
  };

  const posix = { sep: '/', delimiter: ':', basename, dirname, extname, format, isAbsolute,
    join, normalize, parse, relative, resolve };
  posix.posix = posix;
  return { ...posix, default: posix };
})
