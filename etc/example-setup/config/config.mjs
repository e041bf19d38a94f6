// Example configuration for Lactoserv: every built-in application and
// service, three endpoints (http, https, and http2 also serving HTTP/3), a
// host with a certificate read from files next to this one and a
// self-signed catch-all host.
//
// Check it:  cargo run -p lactoserv -- --config=etc/example-setup/config/config.mjs --dry-run

import * as fs from 'node:fs/promises';

import { AccessLogToFile, AccessLogToSyslog, ConnectionRateLimiter,
  DataRateLimiter, EventFan, HostRouter, MemoryMonitor, PathRouter,
  ProcessIdFile, ProcessInfoFile, Redirector, RequestDelay, RequestFilter,
  RequestRateLimiter, SerialRouter, SimpleResponse, StaticFiles, SuffixRouter,
  SyslogToFile }
  from '@lactoserv/webapp-builtins';

// Paths are relative to this file, wherever the setup is copied to.
const here = (path) => new URL(path, import.meta.url).pathname;
const readHere = (path) => fs.readFile(new URL(path, import.meta.url));

const VAR_DIR = process.env.LACTOSERV_VAR_DIR ?? here('../var');
const LOG_DIR = `${VAR_DIR}/log`;
const RUN_DIR = `${VAR_DIR}/run`;
const PORT_BASE = Number(process.env.LACTOSERV_PORT_BASE ?? '8080');

const hosts = [
  {
    hostnames:   ['localhost', '*.localhost'],
    certificate: await readHere('localhost-cert.pem'),
    privateKey:  await readHere('localhost-key.pem')
  },
  {
    hostnames:  ['*', '127.0.0.1', '::1'],
    selfSigned: true
  }
];

const services = [
  {
    name:        'memory',
    class:       MemoryMonitor,
    checkPeriod: '5 min',
    gracePeriod: '1 min',
    maxHeap:     '200 MiB',
    maxRss:      '300 MiB'
  },
  {
    name:         'process',
    class:        ProcessInfoFile,
    path:         `${RUN_DIR}/process.json`,
    updatePeriod: '10 min',
    save:         { onStart: true, onStop: true, maxOldCount: 5 }
  },
  {
    name:         'processId',
    class:        ProcessIdFile,
    path:         `${RUN_DIR}/process.txt`,
    multiprocess: true,
    updatePeriod: '10 min'
  },
  {
    name:         'syslog',
    class:        SyslogToFile,
    path:         `${LOG_DIR}/system-log.txt`,
    format:       'human',
    bufferPeriod: '0.5 sec',
    rotate:       { atSize: '2 MiB', onStart: true, maxOldSize: '20 MiB', checkPeriod: '1 min' }
  },
  {
    name:         'accessFile',
    class:        AccessLogToFile,
    path:         `${LOG_DIR}/access-log.txt`,
    bufferPeriod: '0.5 sec',
    maxUrlLength: 200,
    rotate:       { atSize: '5 MiB', maxOldCount: 10, checkPeriod: '1 min' }
  },
  new AccessLogToSyslog({ name: 'accessSyslog' }),
  {
    name:     'accessLog',
    class:    EventFan,
    services: ['accessFile', 'accessSyslog']
  },
  {
    name:         'dataRateLimiter',
    class:        DataRateLimiter,
    initialBurst: '256 KiB',
    maxBurst:     '1 MiB',
    flowRate:     '512 KiB / sec',
    maxQueue:     '4 MiB'
  },
  {
    name:     'connectionRateLimiter',
    class:    ConnectionRateLimiter,
    maxBurst: '20 conn',
    flowRate: '5 conn per sec',
    maxQueue: '50 conn'
  }
];

const applications = [
  {
    name:         'toSecure',
    class:        SerialRouter,
    applications: ['requestRate', 'redirectToSecure']
  },
  {
    name:       'redirectToSecure',
    class:      Redirector,
    statusCode: 308,
    target:     `https://localhost:${PORT_BASE + 363}/`
  },
  {
    name:         'site',
    class:        SerialRouter,
    applications: ['requestRate', 'filter', 'byHost']
  },
  {
    name:     'requestRate',
    class:    RequestRateLimiter,
    maxBurst: '50 req',
    flowRate: '1200 req per min',
    maxQueue: '200 req'
  },
  {
    name:             'filter',
    class:            RequestFilter,
    acceptMethods:    ['get', 'head'],
    maxQueryLength:   200,
    rejectDirectories: false
  },
  {
    name:  'byHost',
    class: HostRouter,
    hosts: { '*': 'byPath', '127.0.0.1': 'plainSite' }
  },
  {
    name:  'byPath',
    class: PathRouter,
    paths: {
      '/*':          'staticSite',
      '/slow/*':     'slowThings',
      '/hello':      'hello',
      '/empty':      'empty',
      '/private/*':  null
    }
  },
  {
    name:     'slowThings',
    class:    SuffixRouter,
    suffixes: { '*.txt': 'slowly', '*': 'staticSite' }
  },
  {
    name:     'slowly',
    class:    RequestDelay,
    minDelay: '100 ms',
    maxDelay: '250 ms'
  },
  {
    name:          'staticSite',
    class:         StaticFiles,
    siteDirectory: here('../site'),
    notFoundPath:  here('../site-extra/not-found.html'),
    indexFile:     ['index.html'],
    cacheControl:  { public: true, maxAge: '5 min' },
    etag:          { dataOnly: true },
    // Additions to Lactoserv's bindings (docs/compression.md).
    compress:      true,
    precompressed: true
  },
  new StaticFiles({
    name:          'plainSite',
    siteDirectory: here('../site'),
    etag:          true
  }),
  {
    name:         'hello',
    class:        SimpleResponse,
    contentType:  'text/plain',
    body:         'Hello from Lactoserv!\n',
    cacheControl: 'public, max-age=60',
    etag:         true
  },
  {
    name:     'empty',
    class:    SimpleResponse,
    filePath: here('../site-extra/empty-file.txt')
  }
];

const endpoints = [
  {
    name:        'insecure',
    protocol:    'http',
    interface:   `*:${PORT_BASE}`,
    application: 'toSecure',
    services:    { accessLog: 'accessLog', connectionRateLimiter: 'connectionRateLimiter' }
  },
  {
    name:               'secure',
    protocol:           'http2',
    http3:              true,
    hostnames:          ['*'],
    interface:          `*:${PORT_BASE + 363}`,
    application:        'site',
    maxRequestBodySize: '0 byte',
    services: {
      accessLog:             'accessLog',
      dataRateLimiter:       'dataRateLimiter',
      connectionRateLimiter: 'connectionRateLimiter'
    }
  },
  {
    name:        'alsoSecure',
    protocol:    'https',
    hostnames:   ['localhost', '*.localhost'],
    interface:   `127.0.0.1:${PORT_BASE + 364}`,
    application: 'site',
    services:    { accessLog: 'accessLog' }
  }
];

export default {
  hosts,
  services,
  applications,
  endpoints,
  logging: {
    '/application/*':      false,
    '/application/site/*': true
  }
};
