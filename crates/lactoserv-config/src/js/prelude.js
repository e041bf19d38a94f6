// The configuration sandbox: what a Lactoserv config module sees of Node and
// of `@lactoserv/*`. Evaluated as a global script before any module. The host
// hands over its native functions as `__lactoNative`; this script captures
// them and removes the global, so configs cannot reach them directly.
//
// Everything with Node semantics is written here in JS rather than in Rust,
// so the rules read in one place and stay independent of the engine glue.
(function (native) {
  'use strict';

  const INTERNAL = Symbol.for('lactoserv.internal');
  const CLASS_TAG = Symbol.for('lactoserv.configClass');
  const internal = { modules: Object.create(null) };
  Object.defineProperty(globalThis, INTERNAL, { value: internal });

  const hidden = (obj, key, value) =>
    Object.defineProperty(obj, key, { value, writable: true, configurable: true });

  // ------------------------------------------------------------------------
  // Component and quantity classes.

  const APPLICATIONS = ['Health', 'HostRouter', 'Metrics', 'PathRouter', 'Redirector', 'RequestDelay',
    'RequestFilter', 'RequestRateLimiter', 'SerialRouter', 'SimpleResponse',
    'StaticFiles', 'SuffixRouter'];
  const SERVICES = ['AccessLogToFile', 'AccessLogToSyslog', 'ConnectionRateLimiter',
    'DataRateLimiter', 'EventFan', 'MemoryMonitor', 'ProcessIdFile',
    'ProcessInfoFile', 'SyslogToFile'];

  const isPlainObject = (value) => {
    if (value === null || typeof value !== 'object') return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  };

  const describe = (value) => {
    if (typeof value === 'function') {
      return value[CLASS_TAG] ? value[CLASS_TAG].name : `function ${value.name || '<anonymous>'}`;
    }
    if (typeof value === 'string') return JSON.stringify(value);
    if (value === null || typeof value !== 'object') return String(value);
    const ctor = Object.getPrototypeOf(value)?.constructor;
    return (ctor && ctor.name) ? `instance of ${ctor.name}` : 'object';
  };

  // A component class: `new X({...})` copies the bindings, and conversion
  // turns the instance into `{ class: 'X', ...bindings }`.
  const makeComponentClass = (name, section) => {
    const cls = ({ [name]: class {
      constructor(config) {
        if (!isPlainObject(config)) {
          throw new TypeError(`${name}: the constructor takes one plain object of bindings, not ${describe(config)}`);
        }
        const given = config.class;
        if (given !== undefined && given !== cls && given !== name) {
          throw new TypeError(`Mismatch on \`class\`: expected ${name}, got ${describe(given)}`);
        }
        for (const key of Object.keys(config)) {
          if (key !== 'class') this[key] = config[key];
        }
      }
    } })[name];
    hidden(cls, CLASS_TAG, Object.freeze({ kind: 'component', section, name }));
    return cls;
  };

  // A quantity class: records its value as text; the grammar is checked in
  // Rust after evaluation, because every binding that takes a quantity also
  // takes the string form.
  const makeQuantityClass = (name, unit) => {
    const cls = ({ [name]: class {
      constructor(value, ...rest) {
        if (typeof value === 'string') {
          hidden(this, 'text', value);
        } else if (typeof value === 'number') {
          hidden(this, 'text', unit ? `${value} ${unit}` : String(value));
        } else {
          throw new TypeError(`${name}: expected a number, got ${describe(value)}`);
        }
        if (name === 'UnitQuantity') {
          const [numer, denom] = rest;
          const units = (numer ?? '') + (denom ? `/${denom}` : '');
          hidden(this, 'text', units ? `${value} ${units}` : String(value));
        }
      }
      static parse(value) {
        if (value instanceof cls) return value;
        if (typeof value !== 'string') {
          throw new TypeError(`${name}.parse: expected a string, got ${describe(value)}`);
        }
        return new cls(value);
      }
      toString() { return this.text; }
    } })[name];
    hidden(cls, CLASS_TAG, Object.freeze({ kind: 'quantity', name }));
    return cls;
  };

  const builtins = {};
  for (const name of APPLICATIONS) builtins[name] = makeComponentClass(name, 'applications');
  for (const name of SERVICES) builtins[name] = makeComponentClass(name, 'services');

  const quant = {
    ByteCount: makeQuantityClass('ByteCount', 'byte'),
    ByteRate: makeQuantityClass('ByteRate', 'byte/sec'),
    Duration: makeQuantityClass('Duration', 'sec'),
    Frequency: makeQuantityClass('Frequency', '/sec'),
    UnitQuantity: makeQuantityClass('UnitQuantity', ''),
  };
  // A point in time; no binding takes one, but configs may import it.
  quant.Moment = class Moment {
    constructor(atSec) { this.atSec = Number(atSec); }
    static fromMsec(msec) { return new Moment(msec / 1000); }
    get atMsec() { return this.atSec * 1000; }
    toString() { return new Date(this.atMsec).toISOString(); }
  };
  const webappUtil = {
    ConnectionCount: makeQuantityClass('ConnectionCount', 'conn'),
    ConnectionRate: makeQuantityClass('ConnectionRate', 'conn/sec'),
    RequestCount: makeQuantityClass('RequestCount', 'req'),
    RequestRate: makeQuantityClass('RequestRate', 'req/sec'),
  };

  // ------------------------------------------------------------------------
  // Node look-alikes: Buffer, URL, process, console, fs, path, url, os.

  Object.assign(internal, { builtins, quant, webappUtil });

  // Installs `value` as a non-enumerable global, as Node's globals are.
  const global = (name, value) => hidden(globalThis, name, value);

  const modules = internal.modules;
  const defineModule = (name, exports, withDefault = true) => {
    modules[name] = { exports, withDefault };
  };

  defineModule('@lactoserv/webapp-builtins', builtins, false);
  defineModule('@lactoserv/quant', quant, false);
  defineModule('@lactoserv/webapp-util', webappUtil, false);

  // Ask the helper modules for the rest, in dependency order.
  const parts = native.parts;
  const nodeBuffer = parts.buffer({ native });
  const nodeUrl = parts.url({ native });
  const nodePath = parts.path({ native });
  const nodeProcess = parts.process({ native });
  const nodeConsole = parts.console({ native, describe });
  const nodeFs = parts.fs({ native, Buffer: nodeBuffer.Buffer, URL: nodeUrl.URL,
    fileURLToPath: nodeUrl.fileURLToPath });
  const nodeOs = parts.os({ native });

  defineModule('node:buffer', nodeBuffer);
  defineModule('node:url', nodeUrl);
  defineModule('node:path', nodePath);
  defineModule('node:process', nodeProcess);
  defineModule('node:console', nodeConsole);
  defineModule('node:fs', nodeFs.sync);
  defineModule('node:fs/promises', nodeFs.promises);
  defineModule('node:os', nodeOs);

  global('Buffer', nodeBuffer.Buffer);
  global('URL', nodeUrl.URL);
  global('URLSearchParams', nodeUrl.URLSearchParams);
  global('process', nodeProcess.default);
  global('console', nodeConsole.default);

  Object.assign(internal, parts.convert({ CLASS_TAG, isPlainObject, describe,
    Buffer: nodeBuffer.Buffer, URL: nodeUrl.URL }));
  Object.assign(internal, parts.resolve({ modules }));
})(globalThis.__lactoNative);
delete globalThis.__lactoNative;
