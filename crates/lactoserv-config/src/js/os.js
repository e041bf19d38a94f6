// node:os — the few read-only facts a hand-written config might want.
(({ native }) => {
  const info = native.osInfo();
  const os = {
    EOL: '\n',
    hostname: () => info.hostname,
    homedir: () => info.homedir,
    tmpdir: () => info.tmpdir,
    platform: () => 'linux',
    type: () => 'Linux',
    arch: () => info.arch,
    cpus: () => Array.from({ length: info.cpus }, () => ({ model: 'cpu', speed: 0 })),
    availableParallelism: () => info.cpus,
  };
  return { ...os, default: os };
})
