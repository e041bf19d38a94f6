// node:process — a frozen `process` with an environment snapshot. Nothing in
// it can change the server process: `exit()` and `chdir()` throw.
(({ native }) => {

  const refuse = (what) => () => {
    throw new Error(`process.${what}() is not available in a configuration file`);
  };

  const env = Object.freeze(native.env());
  const info = native.processInfo();
  const process = Object.freeze({
    env,
    argv: Object.freeze([info.execPath]),
    argv0: 'lactoserv',
    execPath: info.execPath,
    pid: info.pid,
    ppid: info.ppid,
    platform: 'linux',
    arch: info.arch,
    version: `v${info.version}`,
    versions: Object.freeze({ lactoserv: info.version }),
    release: Object.freeze({ name: 'lactoserv' }),
    cwd: () => native.cwd(),
    exit: refuse('exit'),
    abort: refuse('abort'),
    chdir: refuse('chdir'),
    kill: refuse('kill'),
  });

  return { default: process, env, argv: process.argv, cwd: process.cwd, pid: process.pid,
    platform: process.platform, version: process.version, versions: process.versions };
})
