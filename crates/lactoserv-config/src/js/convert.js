// Conversion of the config module's default export to JSON text, which the
// host parses. The walk keeps a readable path (`config.hosts[0].certificate`)
// so that every value it cannot carry is reported where it is.
(({ CLASS_TAG, isPlainObject, describe, Buffer, URL }) => {

  class ConfigConversionError extends Error {
    get name() { return 'ConfigConversionError'; }
  }

  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const keyPath = (path, key) => IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

  const fail = (path, message) => { throw new ConfigConversionError(`${path}: ${message}`); };

  const tagOf = (value) => {
    const ctor = Object.getPrototypeOf(value)?.constructor;
    return (ctor && Object.hasOwn(ctor, CLASS_TAG)) ? ctor[CLASS_TAG] : null;
  };

  const bytesToBase64 = (bytes) => Buffer.from(bytes).toString('base64');

  const convert = (value, path, onPath) => {
    switch (typeof value) {
      case 'string': case 'boolean': return value;
      case 'number':
        if (!Number.isFinite(value)) fail(path, `${value} is not a configuration value (numbers must be finite)`);
        return value;
      case 'bigint': return fail(path, `${value}n is a BigInt; use a plain number or a string`);
      case 'symbol': return fail(path, `${String(value)} is a symbol, not a configuration value`);
      case 'undefined': return null;
      case 'function':
        if (Object.hasOwn(value, CLASS_TAG)) return value[CLASS_TAG].name;
        return fail(path, `${describe(value)} is not a configuration value (only the classes of @lactoserv/webapp-builtins, or a class name as a string, can be a \`class\`)`);
    }
    if (value === null) return null;
    if (typeof value.then === 'function') return fail(path, 'value is a Promise (missing `await`?)');
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
      return { $bytes: bytesToBase64(value instanceof ArrayBuffer ? new Uint8Array(value) : value) };
    }
    if (value instanceof URL) return value.href;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) fail(path, 'invalid Date');
      return value.toISOString();
    }
    if (onPath.has(value)) return fail(path, 'value refers to itself (a cycle)');
    onPath.add(value);
    try {
      if (Array.isArray(value)) {
        return value.map((item, i) => convert(item, `${path}[${i}]`, onPath));
      }
      const tag = tagOf(value);
      if (tag?.kind === 'quantity') return value.text;
      if (!tag && !isPlainObject(value)) {
        return fail(path, `${describe(value)} is not a configuration value (use plain objects, arrays, strings, numbers and booleans)`);
      }
      const out = tag ? { class: tag.name } : {};
      for (const key of Object.keys(value)) {
        const item = value[key];
        if (item !== undefined) out[key] = convert(item, keyPath(path, key), onPath);
      }
      return out;
    } finally {
      onPath.delete(value);
    }
  };

  const toConfigJson = (value) => {
    if (value === undefined) {
      throw new ConfigConversionError('config: the default export is undefined (missing `export default`?)');
    }
    if (!isPlainObject(value)) {
      throw new ConfigConversionError(`config: the default export must be a plain object, not ${describe(value)}`);
    }
    return JSON.stringify(convert(value, 'config', new Set()));
  };

  return { toConfigJson };
})
