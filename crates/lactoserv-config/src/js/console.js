// node:console — `console.*` goes to the host's logger (the system log once
// the server has one, stderr before that).
(({ native, describe }) => {

  const show = (value, depth = 0) => {
    if (typeof value === 'string') return (depth === 0) ? value : JSON.stringify(value);
    if (typeof value === 'function' || value === null || typeof value !== 'object') {
      return (typeof value === 'function') ? `[${describe(value)}]` : String(value);
    }
    if (value instanceof Error) return value.stack ? `${value.name}: ${value.message}\n${value.stack}` : String(value);
    if (depth > 2) return Array.isArray(value) ? '[Array]' : '[Object]';
    if (Array.isArray(value)) return `[ ${value.map((v) => show(v, depth + 1)).join(', ')} ]`;
    if (typeof value.toJSON === 'function') return show(value.toJSON(), depth);
    const entries = Object.keys(value).map((k) => `${k}: ${show(value[k], depth + 1)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  };

  const format = (args) => args.map((arg) => show(arg)).join(' ');
  const console = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    console[level] = (...args) => native.log(level, format(args));
  }
  console.dir = (value) => native.log('log', show(value, 1));

  return { default: console, ...console };
})
