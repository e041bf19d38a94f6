// Module resolution for config files. A file module's name is its absolute
// `file:` URL; a synthetic module's name is its specifier. Relative imports
// are resolved against the importing file (the reference allows only
// absolute `file:` URLs; this is a superset).
(({ modules }) => {

  const NODE_NAMES = ['assert', 'buffer', 'child_process', 'console', 'crypto', 'dns',
    'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'process',
    'stream', 'timers', 'url', 'util', 'worker_threads', 'zlib'];
  const FRAMEWORK_ONLY = ['webapp-core', 'net-util', 'compy', 'loggy', 'async', 'fs-util',
    'net-protocol', 'host', 'structy', 'typey', 'valvis', 'sexp', 'texty', 'metacomp',
    'collections', 'clocky', 'loggy-intf'];

  const supported = () => Object.keys(modules).filter((n) => n.startsWith('node:')).sort().join(', ');

  const refuse = (specifier, base, why) => {
    const error = new Error(`Cannot import "${specifier}" (from ${base}): ${why}`);
    error.code = 'ERR_UNSUPPORTED_IMPORT';
    throw error;
  };

  const resolve = (base, specifier) => {
    if (specifier.startsWith('node:')) {
      if (modules[specifier]) return specifier;
      return refuse(specifier, base, `not available in the configuration sandbox; supported: ${supported()}`);
    }
    if (specifier.startsWith('@lactoserv/')) {
      const name = specifier.slice('@lactoserv/'.length);
      if (modules[specifier]) return specifier;
      if (name.startsWith('main-')) return refuse(specifier, base, 'main-* modules cannot be imported by a configuration');
      if (FRAMEWORK_ONLY.includes(name)) {
        return refuse(specifier, base, 'defining components in JavaScript is not supported; register application and service types from Rust, and name them with a string `class`');
      }
      return refuse(specifier, base, 'no such module; available: @lactoserv/webapp-builtins, @lactoserv/quant, @lactoserv/webapp-util');
    }
    if (/^(\.\.?\/|\/|file:)/.test(specifier)) {
      let url;
      try {
        url = new URL(specifier, base.startsWith('file:') ? base : undefined);
      } catch {
        return refuse(specifier, base, 'not a valid file path or file: URL');
      }
      if (url.protocol !== 'file:') return refuse(specifier, base, 'only file: URLs can be imported');
      url.search = '';
      url.hash = '';
      return url.href;
    }
    const bare = NODE_NAMES.includes(specifier) ? ` (did you mean "node:${specifier}"?)` : '';
    return refuse(specifier, base, `only node:*, @lactoserv/* and relative or file: specifiers are allowed${bare}`);
  };

  // Source text of a synthetic module, or `null` for a file module.
  const moduleSource = (name) => {
    const entry = modules[name];
    if (!entry) return null;
    const names = Object.keys(entry.exports).filter((key) => key !== 'default');
    const access = `globalThis[Symbol.for('lactoserv.internal')].modules[${JSON.stringify(name)}].exports`;
    const lines = [`const m = ${access};`];
    if (names.length > 0) lines.push(`export const { ${names.join(', ')} } = m;`);
    if (entry.withDefault) lines.push('export default m.default;');
    return lines.join('\n');
  };

  return { resolve, moduleSource };
})
